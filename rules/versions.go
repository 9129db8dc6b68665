package rules

import (
	"strconv"
	"strings"
)

// DefaultVersion returns the location's default Kubernetes version (K1).
func DefaultVersion(vs []KubernetesVersion) (KubernetesVersion, bool) {
	for _, v := range vs {
		if v.Default {
			return v, true
		}
	}
	return KubernetesVersion{}, false
}

// FindVersion looks a version up. A cluster runs a patch version (1.32.7);
// a table may list minor versions (1.32) too, which then match every patch.
func FindVersion(vs []KubernetesVersion, version string) (KubernetesVersion, bool) {
	version = strings.TrimPrefix(version, "v")
	for _, v := range vs {
		if v.Version == version {
			return v, true
		}
	}
	for _, v := range vs {
		if strings.Count(v.Version, ".") == 1 && strings.HasPrefix(version, v.Version+".") {
			return v, true
		}
	}
	return KubernetesVersion{}, false
}

// CompareVersions orders dotted versions numerically: -1, 0 or 1.
func CompareVersions(a, b string) int {
	as, bs := strings.Split(strings.TrimPrefix(a, "v"), "."), strings.Split(strings.TrimPrefix(b, "v"), ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// VersionsTable formats versions like `az aks get-versions -l LOCATION -o table` (K4):
// newest first, with the columns KubernetesVersion, Default, IsPreview and Upgrades.
func VersionsTable(vs []KubernetesVersion) string {
	rows := append([]KubernetesVersion(nil), vs...)
	for i := 1; i < len(rows); i++ {
		for j := i; j > 0 && CompareVersions(rows[j].Version, rows[j-1].Version) > 0; j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
	cells := [][]string{{"KubernetesVersion", "Default", "IsPreview", "Upgrades"}}
	for _, v := range rows {
		def, pre, up := "", "", "None available"
		if v.Default {
			def = "True"
		}
		if v.Preview {
			pre = "True"
		}
		if len(v.Upgrades) > 0 {
			up = strings.Join(v.Upgrades, ", ")
		}
		cells = append(cells, []string{v.Version, def, pre, up})
	}
	width := make([]int, 4)
	for _, r := range cells {
		for i, c := range r {
			width[i] = max(width[i], len(c))
		}
	}
	var b strings.Builder
	line := func(r []string) {
		for i, c := range r {
			if i > 0 {
				b.WriteString("  ")
			}
			if i == len(r)-1 {
				b.WriteString(c)
			} else {
				b.WriteString(c + strings.Repeat(" ", width[i]-len(c)))
			}
		}
		b.WriteString("\n")
	}
	line(cells[0])
	dashes := make([]string, 4)
	for i := range dashes {
		dashes[i] = strings.Repeat("-", width[i])
	}
	line(dashes)
	for _, r := range cells[1:] {
		line(r)
	}
	return b.String()
}
