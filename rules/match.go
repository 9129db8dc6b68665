package rules

// Hand-written matchers for the shapes the rules check on every keystroke in
// the page. They replace regular expressions (issue 13): the page ran
// regexp's backtracking-free but allocation-heavy matcher over every field
// on every keystroke (about 25 ms of a cold load's first keystroke in
// Chromium's profile), for patterns a loop says in a few lines.
// TestMatchersAgreeWithTheirPatterns and FuzzMatchers hold each one to the
// pattern it replaces, written beside it.

func isLowerB(c byte) bool { return 'a' <= c && c <= 'z' }
func isDigitB(c byte) bool { return '0' <= c && c <= '9' }
func isAlphaB(c byte) bool { return isLowerB(c) || ('A' <= c && c <= 'Z') }
func isAlnumB(c byte) bool { return isAlphaB(c) || isDigitB(c) }

// lowerAlnumRun: ^[a-z][a-z0-9]{min-1,max-1}$ (max < 0: no upper bound).
func lowerAlnumRun(s string, min, max int) bool {
	if len(s) < min || (max >= 0 && len(s) > max) || !isLowerB(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isLowerB(s[i]) && !isDigitB(s[i]) {
			return false
		}
	}
	return true
}

// locationShaped: ^[a-z][a-z0-9]{1,39}$
func locationShaped(s string) bool { return lowerAlnumRun(s, 2, 40) }

// regionNameShaped: ^[a-z][a-z0-9]*$
func regionNameShaped(s string) bool { return lowerAlnumRun(s, 1, -1) }

// vmSizeShaped: ^[A-Za-z][A-Za-z0-9_-]{0,63}$
func vmSizeShaped(s string) bool {
	if len(s) < 1 || len(s) > 64 || !isAlphaB(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isAlnumB(c) && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// dnsLabelShaped: ^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$, or with
// lower only, ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$
func dnsLabelShaped(s string, lowerOnly bool) bool {
	ok := func(c byte) bool {
		if lowerOnly {
			return isLowerB(c) || isDigitB(c)
		}
		return isAlnumB(c)
	}
	if len(s) < 1 || len(s) > 63 || !ok(s[0]) || !ok(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if !ok(s[i]) && s[i] != '-' {
			return false
		}
	}
	return true
}

// hostnameShaped: ^(\*\.)?(LABEL\.)*LABEL$ with LABEL a DNS label.
func hostnameShaped(s string) bool {
	if len(s) >= 2 && s[0] == '*' && s[1] == '.' {
		s = s[2:]
	}
	for {
		i := 0
		for i < len(s) && s[i] != '.' {
			i++
		}
		if !dnsLabelShaped(s[:i], false) {
			return false
		}
		if i == len(s) {
			return true
		}
		s = s[i+1:]
	}
}

// hasDERRun: M[IHC][A-Za-z0-9+/]{60,} anywhere in s.
func hasDERRun(s string) bool {
	run := 0 // scanned right to left: the base64 characters from i+1 on
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c == 'M' && i+1 < len(s) && (s[i+1] == 'I' || s[i+1] == 'H' || s[i+1] == 'C') && run-1 >= 60 {
			return true
		}
		if isAlnumB(c) || c == '+' || c == '/' {
			run++
		} else {
			run = 0
		}
	}
	return false
}
