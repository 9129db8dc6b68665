package rules

import (
	"reflect"
	"strconv"
	"strings"
)

// Article returns "a" or "an" for the word that follows it, by how the word
// is said: "an AKS", "an AmlCompute", "a Kubernetes", "an 8-core".
func Article(word string) string {
	w := strings.TrimSpace(word)
	if w == "" {
		return "a"
	}
	// Initialisms said letter by letter: "an AKS", "an FPGA", "a GPU".
	head := w
	if i := strings.IndexAny(w, " -_/"); i > 0 {
		head = w[:i]
	}
	if len(head) > 1 && strings.ToUpper(head) == head && isASCIILetter(rune(head[0])) {
		if strings.ContainsRune("AEFHILMNORSX", rune(head[0])) {
			return "an"
		}
		return "a"
	}
	switch r := rune(w[0]); {
	case isDigit(r):
		// "an 8", "an 11", "an 18", "an 80"; "a 1", "a 3".
		if r == '8' || strings.HasPrefix(w, "11") || strings.HasPrefix(w, "18") {
			return "an"
		}
		return "a"
	case strings.ContainsRune("aeiouAEIOU", r):
		lw := strings.ToLower(w)
		for _, p := range []string{"uni", "use", "usu", "one", "eu"} { // said with a consonant
			if strings.HasPrefix(lw, p) {
				return "a"
			}
		}
		return "an"
	}
	return "a"
}

// WithArticle returns the word after its article: "an AKS".
func WithArticle(word string) string { return Article(word) + " " + word }

// Count returns n with the noun in the right number: "1 node", "3 nodes".
// Nouns ending in s, x, sh or ch take "es"; a noun ending in a consonant
// and y takes "ies".
func Count(n int, noun string) string { return strconv.Itoa(n) + " " + Plural(n, noun) }

// Plural returns noun in the number n calls for.
func Plural(n int, noun string) string {
	if n == 1 || n == -1 || noun == "" {
		return noun
	}
	l := strings.ToLower(noun)
	switch {
	case strings.HasSuffix(l, "s") || strings.HasSuffix(l, "x") || strings.HasSuffix(l, "sh") || strings.HasSuffix(l, "ch"):
		return noun + "es"
	case strings.HasSuffix(l, "y") && len(l) > 1 && !strings.ContainsRune("aeiou", rune(l[len(l)-2])):
		return noun[:len(noun)-1] + "ies"
	}
	return noun + "s"
}

// TypeWord names a Go type the way a person reads a JSON field's type: "an
// integer", "a number", "text", "true or false", "a list", "an object".
func TypeWord(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return TypeWord(t.Elem())
	}
	return WithArticle(t.String())
}
