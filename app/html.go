package app

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// go-app writes a boolean attribute as its value, so Selected(false) is
// pre-rendered as selected="false", which HTML reads as selected, and it
// drops an empty value attribute, so an option of value "" sends its label.
// The helpers below are the only way the page sets these attributes: a
// boolean attribute is written only when true, and an option always carries
// its value.

// option is one choice of a select: the value sent and the label shown.
type option struct{ value, label string }

// optionUI renders one choice. An empty value is written out (value=""), so
// the browser sends "" and not the label.
func optionUI(o option, selected bool) app.UI {
	if o.value == "" {
		sel := ""
		if selected {
			sel = " selected"
		}
		return app.Raw(`<option value=""` + sel + `>` + escapeHTML(o.label) + `</option>`)
	}
	el := app.Elem("option").Attr("value", o.value).Text(o.label)
	if selected {
		el = el.Attr("selected", true)
	}
	return el
}

// escapeHTML escapes what html.EscapeString does (& < > " '), without the
// strings.Replacer that html links into app.wasm.
func escapeHTML(s string) string {
	if !strings.ContainsAny(s, `&<>"'`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&#34;")
		case '\'':
			b.WriteString("&#39;")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// optionsUI renders choices with the one of value selected.
func optionsUI(opts []option, value string) app.UI {
	return app.Range(opts).Slice(func(i int) app.UI { return optionUI(opts[i], opts[i].value == value) })
}

func checkedIf(e app.HTMLInput, on bool) app.HTMLInput {
	if on {
		return e.Checked(true)
	}
	return e
}

func disabledIf(e app.HTMLElem, on bool) app.HTMLElem {
	if on {
		return e.Attr("disabled", true)
	}
	return e
}

func openIf(e app.HTMLElem, on bool) app.HTMLElem {
	if on {
		return e.Attr("open", true)
	}
	return e
}

// selectUI is a select whose chosen option follows value: the options carry
// selected for the pre-rendered page, and syncSelects sets the live value
// after each render, since a selected attribute removed by an update does
// not unselect an option the person or the page chose before.
func selectUI(value string, opts []option) app.HTMLElem {
	return app.Elem("select").DataSet("sync", "1").DataSet("value", value).Body(optionsUI(opts, value))
}

// syncSelects gives every select made by selectUI the value it was rendered with.
func syncSelects() {
	if !app.IsClient {
		return
	}
	list := app.Window().Get("document").Call("querySelectorAll", "select[data-sync]")
	for i := 0; i < list.Get("length").Int(); i++ {
		s := list.Call("item", i)
		want := ""
		if v := s.Call("getAttribute", "data-value"); v.Truthy() {
			want = v.String()
		}
		if s.Get("value").String() != want {
			s.Set("value", want)
		}
	}
}

// document is the page's document, looked up once: typed runs for every
// text box of every render.
var document app.Value

// typed is the value a text box renders with: what the page holds, except
// for the box that has the focus, which keeps what the person has typed. A
// render never writes into the box being typed in, so the page's tidying
// (a location lowercased, spaces trimmed) waits until the person leaves the
// box, and the caret never jumps to the end of the text.
func typed(id, held string) string {
	if !app.IsClient {
		return held
	}
	if document == nil {
		document = app.Window().Get("document")
	}
	e := document.Get("activeElement")
	if !e.Truthy() || e.Get("id").String() != id {
		return held
	}
	return e.Get("value").String()
}

// slot renders fn's element when on, and an empty template when not: either
// way it takes its place among its siblings. go-app matches children by
// position, so a notice that comes and goes before a table or a form would
// otherwise rebuild every element after it, and the box being typed in or
// the button being pressed with them (TestControlsKeepTheirPlace).
func slot(on bool, fn func() app.UI) app.UI {
	if on {
		return fn()
	}
	return app.Elem("template")
}
