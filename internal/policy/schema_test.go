package policy

import (
	"os"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// TestSchemaAcceptsShippedPolicies keeps docs/policy-schema.json and the
// parser in step: every policy the project ships validates against it.
func TestSchemaAcceptsShippedPolicies(t *testing.T) {
	sch, err := jsonschema.NewCompiler().Compile("../../docs/policy-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"default.yaml", "testdata/full.yaml", "../../examples/.bulwark.yaml", "../cli/testdata/policytests/policy.yaml"} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(normalize(doc)); err != nil {
			t.Errorf("%s: %v", path, err)
		}
		if _, err := Parse(path, data); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
}

// normalize turns YAML's decoded values into the JSON model the validator wants.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalize(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalize(e)
		}
	case int:
		return float64(x)
	case time.Time:
		return x.Format("2006-01-02")
	}
	return v
}
