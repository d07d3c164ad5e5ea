package helm

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/bulwark-dev/bulwark/internal/rule"
)

// Values a chart makes when it is installed (random passwords, UUIDs,
// generated keys, behind a lookup that finds nothing offline) are not in
// the repository and are not reported; values from the values files, the
// template text, or derived from them are.
func TestInstallTimeValuesNotReported(t *testing.T) {
	const chart = "testdata/charts/generated"
	secrets := func(rel Release) map[string]string {
		t.Helper()
		got := map[string]string{}
		for _, f := range scanFiles(t, render(t, chart, rel).Files...).Findings {
			if f.Category == rule.Secrets && f.Object != nil {
				got[f.Location.FieldPath] = f.ID
			}
		}
		return got
	}
	for _, tc := range []struct {
		name string
		rel  Release
		want map[string]string
	}{
		{"generated at install", Release{}, map[string]string{
			"data.api-key":                "BW-SE-001", // from values.yaml
			"stringData.derived-password": "BW-SE-001", // derivePassword of a committed master password
			"stringData.literal-token":    "BW-SE-001", // written in the template
			// data.password (randAlphaNum behind an empty value and a lookup),
			// data.session-secret (randAscii in a named template),
			// data.client-secret (uuidv4), stringData.worker-token (a
			// randAlphaNum variable) and stringData['signing.key']
			// (genPrivateKey) are generated.
		}},
		{"password set in values", Release{Values: []Layer{{Kind: Set, Expr: "auth.password=Vb6-Hq2!Ns8kWx3z"}}}, map[string]string{
			"data.password":               "BW-SE-001",
			"data.api-key":                "BW-SE-001",
			"stringData.derived-password": "BW-SE-001",
			"stringData.literal-token":    "BW-SE-001",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := secrets(tc.rel); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("secrets %v\nwant %v", got, tc.want)
			}
		})
	}
}

// A second render of a chart without generators is the first one, byte for
// byte, so nothing it renders is taken for a generated value.
func TestSecondRenderOfDeterministicChart(t *testing.T) {
	for _, dir := range []string{app, "testdata/charts/certs"} {
		res := render(t, dir, Release{Values: []Layer{{Kind: Set, Expr: "replicaCount=2"}}})
		loc := res.Files[0].Origin.(*locator)
		again, err := loc.trace.rel.render(context.Background(), againPass)
		if err != nil {
			t.Fatal(err)
		}
		for name, first := range loc.trace.outputs {
			if dir == app && again[name] != first {
				t.Errorf("%s: second render differs:\n%s\n---\n%s", name, first, again[name])
			}
			if dir != app && strings.Contains(name, "webhook") && again[name] == first {
				t.Errorf("%s: a generated CA came out the same twice", name)
			}
		}
	}
}
