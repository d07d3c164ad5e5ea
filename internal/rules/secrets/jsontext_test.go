package secrets

import (
	"reflect"
	"testing"
)

// yamlAssignments is what assignments read from JSON before the JSON path:
// the YAML tree's leaves.
func yamlAssignments(text string) []assign {
	tree := parseTree("x.json", text)
	if tree == nil {
		return nil
	}
	var out []assign
	walkLeaves(tree, "", nil, func(l leaf) {
		if l.name != "" {
			out = append(out, assign{line: l.val.Line, name: l.name, value: l.val.Value})
		}
	})
	return out
}

func TestJSONAssignmentsMatchTheYAMLTree(t *testing.T) {
	tests := []string{
		`{"password": "hunter2", "n": 1.5e3, "ok": true, "none": null}`,
		"{\n  \"db\": {\n    \"user\": \"app\",\n    \"password\": \"s3cr\\\"et\\u00e9\"\n  },\n  \"tokens\": [\"a\", \"b\", {\"key\": \"v\"}],\n  \"empty\": {}, \"list\": []\n}",
		`[{"token": "x"}, "loose", 3]`,
	}
	for _, text := range tests {
		got, ok := jsonAssignments(text)
		if !ok {
			t.Fatalf("%s: not read as JSON", text)
		}
		if want := yamlAssignments(text); !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", text, got, want)
		}
	}
	for _, bad := range []string{`{"a": }`, `{"a": "b"`, `{"a": "b"} x`, "{\"a\": \"line\nbreak\"}", `{a: 1}`, `{"a": 01}`} {
		if _, ok := jsonAssignments(bad); ok {
			t.Errorf("%s: read as valid JSON", bad)
		}
	}
}

// FuzzJSONAssignments: whatever the JSON path accepts, the YAML tree reads
// the same way.
func FuzzJSONAssignments(f *testing.F) {
	f.Add(`{"password": "hunter2", "n": [1, {"k": true}]}`)
	f.Fuzz(func(t *testing.T, text string) {
		got, ok := jsonAssignments(text)
		if !ok || len(text) == 0 || (text[0] != '{' && text[0] != '[') {
			return
		}
		if tree := parseTree("x.json", text); tree == nil {
			return // YAML refuses some valid JSON (duplicate keys, odd escapes)
		}
		if want := yamlAssignments(text); !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("%q:\n got %+v\nwant %+v", text, got, want)
		}
	})
}
