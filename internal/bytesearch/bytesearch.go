// Package bytesearch finds short needles in manifests faster than
// bytes.Index when a needle's first byte is common there: bytes.Index stops
// at every occurrence of the first byte, so "secret" costs a stop at every
// "s". Looking for a byte of the needle that is rare in the text (a "k" or
// a "j") stops far less often. Set looks for many words at once.
package bytesearch

import "bytes"

// Contains reports whether data holds needle, looking first for needle[rare].
func Contains(data, needle []byte, rare int) bool {
	for off := rare; off < len(data); {
		i := bytes.IndexByte(data[off:], needle[rare])
		if i < 0 {
			return false
		}
		at := off + i - rare
		if at+len(needle) <= len(data) && bytes.Equal(data[at:at+len(needle)], needle) {
			return true
		}
		off += i + 1
	}
	return false
}
