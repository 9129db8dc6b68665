package proxy

import (
	"net/http"

	"github.com/amlaks/amlaks/rules"
)

// listPrices serves GET /api/locations/{location}/prices: what VMs cost in
// the location, per hour, with the currency and the date. With
// Config.Prices (the Azure Retail Prices API) the prices are Azure's; without
// it, or when it fails, they are the dated built-in table, which says so.
func (s *Server) listPrices(w http.ResponseWriter, r *http.Request) error {
	loc := r.PathValue("location")
	if !locationName.MatchString(loc) {
		return rules.Errorf(rules.ErrInvalid, "location", "The location must be an Azure region name such as eastus.")
	}
	list := rules.PriceTable(loc)
	if s.cfg.Prices != nil {
		got, err := s.cfg.Prices(r.Context(), loc)
		switch {
		case err == nil && len(got.Prices) > 0:
			list = got
		case err != nil:
			s.cfg.logger().Warn("prices: the Azure Retail Prices API failed; using the built-in table", "location", loc, "err", err)
		}
	}
	w.Header().Set("Cache-Control", "private, max-age=3600")
	writeJSON(w, http.StatusOK, list)
	return nil
}
