package secrets

import (
	"reflect"
	"strings"
	"testing"
)

// Embedded JSON is read as a tree whatever its size, with lines counted
// from the text's start; large YAML is read line by line.
func TestAssignmentsOfEmbeddedFiles(t *testing.T) {
	big := strings.Repeat(" ", maxTree)
	tests := []struct {
		name, text string
		want       []assign
	}{
		{"json", "\n{\n  \"db\": {\"password\": \"hunter2\"},\n  \"n\": [1, null]\n}", []assign{{line: 3, name: "password", value: "hunter2"}, {line: 4, name: "n", value: "1"}}},
		{"large json", "{\"token\": \"abc\",\n\"pad\": \"" + big + "\"}", []assign{{line: 1, name: "token", value: "abc"}, {line: 2, name: "pad", value: big}}},
		{"yaml", "db:\n  password: hunter2\n", []assign{{line: 2, name: "password", value: "hunter2"}}},
		{"large yaml, line by line", "password: hunter2\n# " + big + "\n", []assign{{line: 1, name: "password", value: "hunter2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := assignments("x", tt.text); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
