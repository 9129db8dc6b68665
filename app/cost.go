package app

import (
	"fmt"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/amlaks/amlaks/rules"
)

// loadPrices fetches what VMs cost in the location, once per location.
func (f *Form) loadPrices(ctx app.Context, loc string) {
	if !app.IsClient || loc == "" || loc == f.pricesLoc || !regionShaped(loc) {
		return // a location the rules refuse (W2) is not asked about
	}
	f.pricesLoc = loc
	if f.self.Src() != nil {
		ctx = f.self
	}
	ctx.Async(func() {
		var list rules.PriceList
		err := call("GET", rules.LocationPath(loc, "prices"), nil, &list)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil || f.pricesLoc != loc {
				return
			}
			f.prices = list
		})
	})
}

// money writes an amount in the list's currency: "$501.51" or "501.51 EUR".
func money(amount float64, currency string) string {
	if currency == "" || currency == "USD" {
		return fmt.Sprintf("$%.2f", amount)
	}
	return fmt.Sprintf("%.2f %s", amount, currency)
}

// priceNote says where the prices are from and of when.
func priceNote(p rules.PriceList) string {
	return fmt.Sprintf("%s, Linux pay-as-you-go, %d hours a month; prices of %s from the %s.", orDash(p.Currency), rules.HoursPerMonth, orDash(p.AsOf), orDash(p.Source))
}

// monthlyText is the monthly cost of nodes VMs of a size, or "".
func (f *Form) monthlyText(size string, nodes int) string {
	m, ok := f.prices.Monthly(size, nodes)
	if !ok {
		return ""
	}
	return fmt.Sprintf("About %s a month for %s of %s", money(m, f.prices.Currency), rules.Count(nodes, "node"), size)
}

// gpuMonthlyText is the monthly cost of a GPU pool, or "" when its size,
// count or price is not known.
func (f *Form) gpuMonthlyText(p rules.GPUPool) string {
	if p.Count < 1 || p.Count > rules.MaxPoolNodes {
		return ""
	}
	m, ok := f.prices.Monthly(p.VMSize, p.Count)
	if !ok {
		return ""
	}
	return fmt.Sprintf("about %s a month for %s of %s", money(m, f.prices.Currency), rules.Count(p.Count, "node"), p.VMSize)
}

// cost shows what the cluster costs a month, under the meter.
func (f *Form) cost() app.UI {
	r := f.request().Normalized(f.facts.WorkspaceLocation)
	text := ""
	if t := strings.TrimSpace(f.nodeText); t == "" || nodeTextOK(t) {
		if r.NodeCount >= 1 && r.NodeCount <= rules.MaxPoolNodes {
			text = f.monthlyText(r.VMSize, r.NodeCount)
		}
	}
	if g := r.Kubernetes.GPUPool; text != "" && r.Kind == rules.KindKubernetes && !g.IsZero() {
		if m := f.gpuMonthlyText(g); m != "" {
			text += "; GPU pool: " + m
		}
	}
	if text == "" {
		return app.Elem("div").ID("cost").Class("cost empty")
	}
	return app.Elem("p").ID("cost").Class("cost").Body(
		app.Elem("strong").Text(text+"."),
		app.Elem("small").Class("hint").Text(priceNote(f.prices)),
	)
}

// sizeTable is the VM size picker: the sizes of the location, filtered as
// the person types, with cores, memory, GPUs, price and availability.
func (f *Form) sizeTable(sizes []rules.VMSize, loc string) app.UI {
	filter := strings.ToLower(strings.TrimSpace(f.sizeFilter))
	var rows []rules.VMSize
	for _, s := range sizes {
		if filter == "" || strings.Contains(strings.ToLower(s.Name+" "+sizeLabel(s)), filter) {
			rows = append(rows, s)
		}
	}
	shown := len(rows)
	avail := "Yes"
	if f.facts.VMSizes == nil {
		avail = "Not checked"
	}
	where := placeholderOr(loc, "the location")
	open := f.sizesOpen || f.sizeFilter != ""
	if !open {
		// Closed, the rows are not shown, so they are not built: they
		// were half the page's elements, made at mount and diffed on every
		// keystroke (issue 13). They are rendered when the person opens it.
		rows = nil
	}
	return openIf(app.Elem("details").ID("size-picker"), open).On("toggle", func(ctx app.Context, e app.Event) {
		f.sizesOpen = ctx.JSSrc().Get("open").Bool()
	}).Body(
		app.Elem("summary").Text("Compare VM sizes"),
		app.Elem("div").Class("field").Body(
			app.Label().For("size-filter").Text("Filter sizes"),
			// Not bound to a value: the filter is the page's own state, never
			// in the link, so a render that lags the typing cannot put back
			// an older filter than the one typed.
			app.Input().Type("search").ID("size-filter").Placeholder("D4, gpu, 16 GB…").Aria("describedby", "size-count").
				AutoComplete(false).OnInput(func(ctx app.Context, e app.Event) { f.sizeFilter = ctx.JSSrc().Get("value").String() }),
			app.Elem("small").ID("size-count").Class("hint").Attr("role", "status").Text(fmt.Sprintf("%s of %d in %s.", rules.Count(shown, "size"), len(sizes), where)),
		),
		app.Elem("div").Class("table-wrap").Body(app.Elem("table").ID("size-table").Class("sizes").Body(
			app.Elem("caption").Text("VM sizes of "+where+"; the price is per node and month"),
			app.Elem("thead").Body(app.Elem("tr").Body(
				app.Elem("th").Attr("scope", "col").Text("Size"), app.Elem("th").Attr("scope", "col").Text("vCPUs"), app.Elem("th").Attr("scope", "col").Text("Memory"),
				app.Elem("th").Attr("scope", "col").Text("GPUs"), app.Elem("th").Attr("scope", "col").Text("Per node a month"), app.Elem("th").Attr("scope", "col").Text("Available"),
				app.Elem("th").Attr("scope", "col").Text("Choose"),
			)),
			app.Elem("tbody").Body(app.Range(rows).Slice(func(i int) app.UI {
				s := rows[i]
				price := "–"
				if m, ok := f.prices.Monthly(s.Name, 1); ok {
					price = money(m, f.prices.Currency)
				}
				gpu := "–"
				if s.GPUs > 0 {
					gpu = fmt.Sprint(s.GPUs)
				} else if s.FPGA {
					gpu = "FPGA"
				}
				chosen := strings.EqualFold(s.Name, f.req.VMSize) || (f.req.VMSize == "" && s.Name == rules.DefaultVMSize)
				return app.Elem("tr").DataSet("size", s.Name).Body(
					app.Elem("th").Attr("scope", "row").DataSet("label", "Size").Text(s.Name),
					app.Elem("td").DataSet("label", "vCPUs").Text(fmt.Sprint(s.VCPUs)),
					app.Elem("td").DataSet("label", "Memory").Text(fmt.Sprintf("%g GB", s.MemoryGB)),
					app.Elem("td").DataSet("label", "GPUs").Text(gpu),
					app.Elem("td").Class("price").DataSet("label", "Per node a month").Text(price),
					app.Elem("td").DataSet("label", "Available").Text(avail),
					// The size is read from the button: go-app keeps a row's first
					// handler when a filter reuses the row for another size.
					app.Elem("td").Body(disabledIf(app.Elem("button").Attr("type", "button").Class("choose-size").DataSet("size", s.Name).Aria("label", "Choose "+s.Name).
						Text(map[bool]string{true: "Chosen", false: "Choose"}[chosen]), chosen).
						OnClick(func(ctx app.Context, e app.Event) {
							f.req.VMSize = ctx.JSSrc().Get("dataset").Get("size").String()
							f.touched[rules.FieldVMSize] = true
							f.revalidate(ctx)
						})),
				)
			})),
		)),
		app.If(f.prices.AsOf != "", func() app.UI { return app.Elem("small").Class("hint").Text(priceNote(f.prices)) }),
	)
}

// fileInput reads a PEM file the person chooses, in the browser (Blob.text):
// the certificate or key never leaves the page until submit.
func (f *Form) fileInput(field, label string, put func(string)) app.UI {
	id := fieldID(field) + "-file"
	return app.Elem("div").Class("file").Body(
		app.Label().For(id).Class("file-label").Text(label),
		app.Input().Type("file").ID(id).Accept(".pem,.crt,.cer,.key,.txt").OnChange(func(ctx app.Context, e app.Event) {
			files := ctx.JSSrc().Get("files")
			if !files.Truthy() || files.Get("length").Int() == 0 {
				return
			}
			file := files.Index(0)
			if file.Get("size").Int() > 64<<10 {
				f.fileErr[field] = "That file is larger than a PEM certificate or key (64 KB at most)."
				return
			}
			self := f.self
			var done, fail app.Func
			release := func() { done.Release(); fail.Release() }
			done = app.FuncOf(func(this app.Value, args []app.Value) any {
				text := args[0].String()
				self.Dispatch(func(ctx app.Context) {
					delete(f.fileErr, field)
					put(text)
					f.touched[field] = true
					f.revalidate(ctx)
				})
				release()
				return nil
			})
			fail = app.FuncOf(func(this app.Value, args []app.Value) any {
				self.Dispatch(func(ctx app.Context) { f.fileErr[field] = "The file could not be read." })
				release()
				return nil
			})
			file.Call("text").Call("then", done, fail)
		}),
		app.If(f.fileErr[field] != "", func() app.UI {
			return app.Elem("p").Class("finding error").Attr("role", "alert").Text(f.fileErr[field])
		}),
	)
}

// regionShaped reports whether loc is written as Azure names regions.
func regionShaped(loc string) bool {
	for i, r := range loc {
		if !(r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return loc != ""
}
