package secret

import "bytes"

// maxName bounds how far a name may extend around its keyword, as in
// "spring.datasource.password" or "AZURE_CLIENT_SECRET_VALUE".
const maxName = 48

// assignedWindow checks that the keyword at h is inside a name followed by
// an assignment, and returns the span from the start of the name to the end
// of the line that holds the value.
func assignedWindow(data []byte, h hit, w Window) (int, int, bool) {
	a := h.start
	for a > 0 && h.start-a < maxName && isNameByte(data[a-1]) {
		a--
	}
	i := h.end
	for i < len(data) && i-h.end < maxName && isNameByte(data[i]) {
		i++
	}
	if i < len(data) && isQuote(data[i]) {
		i++
	}
	nameEnd := i
	i = skipBlanks(data, i)
	if i >= len(data) {
		return 0, 0, false
	}
	flag := a+2 <= len(data) && data[a] == '-' && data[a+1] == '-'
	switch c := data[i]; {
	case c == ':' || c == '=':
		i++
	case c == '?' && i+1 < len(data) && data[i+1] == '=':
		i += 2
	case c == '\n' || c == '\r':
		// A Kubernetes env entry: "- name: X" then "value: ..." below.
		i = skipBlanks(data, skipNewline(data, i))
		if !bytes.HasPrefix(data[i:], []byte("value:")) {
			return 0, 0, false
		}
		i += len("value:")
	case flag && i > nameEnd && c != '-':
		// A command-line flag and its value: "--password s3cr3t".
	default:
		return 0, 0, false
	}
	i = skipBlanks(data, i)
	if i >= len(data) || data[i] == '\n' || data[i] == '\r' {
		return 0, 0, false // nothing on the line: a mapping or a block scalar
	}
	return a, lineEnd(data, i, w.After), true
}

// userinfoWindow checks that the URL whose scheme starts at h has a
// user:password@ userinfo, and returns the span of scheme and authority.
func userinfoWindow(data []byte, h hit, w Window) (int, int, bool) {
	colon, at := -1, -1
	end := min(len(data), h.end+w.After)
	i := h.end
	for ; i < end; i++ {
		c := data[i]
		if c == '@' {
			at = i
		} else if c == ':' && at < 0 && colon < 0 {
			colon = i
		} else if c == '/' || c == '?' || c == '#' || c <= ' ' || isQuote(c) || c == '<' || c == '>' {
			break
		}
	}
	if colon < 0 || at < colon {
		return 0, 0, false
	}
	return h.start, i, true
}

// lineEnd is the end of the line holding i, at most limit bytes on.
func lineEnd(data []byte, i, limit int) int {
	end := min(len(data), i+limit)
	if j := bytes.IndexByte(data[i:end], '\n'); j >= 0 {
		return i + j
	}
	return end
}

func skipBlanks(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t') {
		i++
	}
	return i
}

func skipNewline(data []byte, i int) int {
	if i < len(data) && data[i] == '\r' {
		i++
	}
	if i < len(data) && data[i] == '\n' {
		i++
	}
	return i
}

func isNameByte(c byte) bool { return isWordByte(c) || c == '.' || c == '-' }

func isQuote(c byte) bool { return c == '"' || c == '\'' || c == '`' }
