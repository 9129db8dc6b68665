// Command wasmsize tells where the bytes of a Go WebAssembly binary go: it
// reads the binary's code, data and name sections and sums the function
// bodies by Go package (or by function), beside a second binary's, such as
// the go-app floor page (e2e/floor). `make size` runs it on app.wasm and the
// floor, both built without -s -w so that the name section is there.
//
//	wasmsize [-by pkg|func] [-top N] [-match SUBSTR] app.wasm [floor.wasm]
//
// The rows are sorted by what the first binary has over the second.
package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
)

// module is what wasmsize reads of a binary.
type module struct {
	imports  int            // imported functions: the first function indices
	bodies   []int          // size of each function body, in index order after the imports
	names    map[int]string // function index to name (the "name" custom section)
	data     int            // bytes of the data segments
	sections map[string]int // size of each section
}

func uleb(b []byte) (uint64, int) {
	v, n := binary.Uvarint(b)
	if n <= 0 {
		panic("bad LEB128")
	}
	return v, n
}

// parse reads a WebAssembly binary's sections.
func parse(b []byte) (m *module, err error) {
	if len(b) < 8 || string(b[:4]) != "\x00asm" {
		return nil, errors.New("not a WebAssembly binary")
	}
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("malformed WebAssembly binary: %v", r)
		}
	}()
	m = &module{names: map[int]string{}, sections: map[string]int{}}
	for p := 8; p < len(b); {
		id := b[p]
		p++
		size, n := uleb(b[p:])
		p += n
		s := b[p : p+int(size)]
		p += int(size)
		name := fmt.Sprintf("section %d", id)
		switch id {
		case 2:
			name = "import"
			cnt, n := uleb(s)
			q := n
			for range cnt {
				for range 2 { // module and field names
					l, n := uleb(s[q:])
					q += n + int(l)
				}
				if s[q] != 0 {
					return nil, fmt.Errorf("import of kind %d", s[q])
				}
				_, n := uleb(s[q+1:])
				q += 1 + n
				m.imports++
			}
		case 10:
			name = "code"
			cnt, n := uleb(s)
			q := n
			for range cnt {
				l, n := uleb(s[q:])
				q += n + int(l)
				m.bodies = append(m.bodies, n+int(l))
			}
		case 11:
			name = "data"
			cnt, n := uleb(s)
			q := n
			for range cnt {
				flags, n := uleb(s[q:])
				q += n
				if flags != 0 {
					return nil, fmt.Errorf("data segment flags %d", flags)
				}
				q++ // i32.const
				_, n = binary.Varint(s[q:])
				for s[q]&0x80 != 0 {
					q++
				}
				q += 2 // the constant's last byte, end
				l, n := uleb(s[q:])
				q += n + int(l)
				m.data += int(l)
			}
		case 0:
			l, n := uleb(s)
			custom := string(s[n : n+int(l)])
			name = "custom " + custom
			if custom == "name" {
				readNames(m, s[n+int(l):])
			}
		}
		m.sections[name] += int(size)
	}
	return m, nil
}

// readNames reads the function names subsection (1) of a name section.
func readNames(m *module, s []byte) {
	for q := 0; q < len(s); {
		id := s[q]
		l, n := uleb(s[q+1:])
		sub := s[q+1+n : q+1+n+int(l)]
		q += 1 + n + int(l)
		if id != 1 {
			continue
		}
		cnt, n := uleb(sub)
		r := n
		for range cnt {
			idx, n := uleb(sub[r:])
			r += n
			l, n := uleb(sub[r:])
			r += n
			m.names[int(idx)] = string(sub[r : r+int(l)])
			r += int(l)
		}
	}
}

// packageOf returns the package of a function as Go's name section spells
// it: the import path with "/" as "_", a dot, then the name
// (github.com_amlaks_amlaks_rules.AzCLI, encoding_json.Marshal).
func packageOf(fn string) string {
	s := fn
	if i := strings.IndexByte(s, '['); i >= 0 {
		s = s[:i]
	}
	start := 0
	for _, host := range []string{"github.com_", "golang.org_", "google.golang.org_", "gopkg.in_"} {
		if strings.HasPrefix(s, host) {
			start = len(host)
		}
	}
	dot := strings.IndexByte(s[start:], '.')
	if dot < 0 {
		return fn
	}
	return s[:start+dot]
}

func main() {
	by := flag.String("by", "pkg", "sum by pkg (package) or func (function)")
	top := flag.Int("top", 25, "rows to print")
	match := flag.String("match", "", "only rows whose name contains this")
	flag.Parse()
	if flag.NArg() < 1 || flag.NArg() > 2 {
		fmt.Fprintln(os.Stderr, "usage: wasmsize [-by pkg|func] [-top N] [-match SUBSTR] app.wasm [floor.wasm]")
		os.Exit(2)
	}
	var sums []map[string]int
	for _, file := range flag.Args() {
		b, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		m, err := parse(b)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", file, err)
			os.Exit(1)
		}
		if len(m.names) == 0 {
			fmt.Fprintf(os.Stderr, "%s has no name section: build it without -ldflags=-s\n", file)
			os.Exit(1)
		}
		sum := map[string]int{}
		for i, size := range m.bodies {
			k := m.names[m.imports+i]
			if *by == "pkg" {
				k = packageOf(k)
			}
			sum[k] += size
		}
		sums = append(sums, sum)
		fmt.Printf("%s: %d B: code %d B in %d functions, data %d B, names %d B\n", file, len(b), m.sections["code"], len(m.bodies), m.data, m.sections["custom name"])
	}
	type row struct {
		name  string
		sizes []int
		over  int
	}
	seen := map[string]bool{}
	var rows []row
	for _, sum := range sums {
		for k := range sum {
			if seen[k] || !strings.Contains(k, *match) {
				continue
			}
			seen[k] = true
			r := row{name: k}
			for _, s := range sums {
				r.sizes = append(r.sizes, s[k])
			}
			r.over = r.sizes[0]
			if len(r.sizes) > 1 {
				r.over -= r.sizes[1]
			}
			rows = append(rows, r)
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].over != rows[j].over {
			return rows[i].over > rows[j].over
		}
		return rows[i].name < rows[j].name
	})
	total := 0
	for _, r := range rows {
		total += r.over
	}
	if len(sums) == 2 {
		fmt.Printf("code of the first over the second: %d B; by %s, largest first:\n%10s %10s %10s\n", total, *by, "over", "first", "second")
	} else {
		fmt.Printf("code: %d B; by %s, largest first:\n%10s\n", total, *by, "size")
	}
	for i, r := range rows {
		if i == *top {
			break
		}
		if len(r.sizes) == 2 {
			fmt.Printf("%10d %10d %10d %s\n", r.over, r.sizes[0], r.sizes[1], r.name)
		} else {
			fmt.Printf("%10d %s\n", r.over, r.name)
		}
	}
}
