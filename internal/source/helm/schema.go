package helm

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
)

// validateSchema checks values against values.schema.json of the chart and
// of each subchart given values, as Helm does, but offline: a schema that
// refers to another document (http, file) is not fetched, and then that
// chart's values are not validated rather than the render failing.
func validateSchema(ch *chart.Chart, values chartutil.Values) error {
	var sb strings.Builder
	if ch.Schema != nil {
		if err := validateOne(values, ch.Schema); err != nil {
			fmt.Fprintf(&sb, "%s: %s\n", ch.Name(), strings.TrimSpace(err.Error()))
		}
	}
	for _, sub := range ch.Dependencies() {
		raw, ok := values[sub.Name()]
		if !ok || raw == nil {
			continue
		}
		subValues, ok := raw.(map[string]any)
		if !ok {
			fmt.Fprintf(&sb, "%s: values are a %T, not a map\n", sub.Name(), raw)
			continue
		}
		if err := validateSchema(sub, subValues); err != nil {
			sb.WriteString(err.Error())
		}
	}
	if sb.Len() > 0 {
		return errors.New("values do not match the chart's values.schema.json: " + strings.TrimSpace(sb.String()))
	}
	return nil
}

type offlineLoader struct{}

func (offlineLoader) Load(url string) (any, error) {
	return nil, errOffline
}

var errOffline = errors.New("schema refers to another document; not fetched (offline)")

func validateOne(values chartutil.Values, schemaJSON []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("schema not usable: %v", r)
		}
	}()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return fmt.Errorf("values.schema.json is not JSON: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(offlineLoader{})
	if err := c.AddResource("file:///values.schema.json", doc); err != nil {
		return err
	}
	sch, err := c.Compile("file:///values.schema.json")
	if err != nil {
		if errors.Is(err, errOffline) || strings.Contains(err.Error(), errOffline.Error()) {
			return nil
		}
		return fmt.Errorf("values.schema.json: %w", err)
	}
	if err := sch.Validate(values.AsMap()); err != nil {
		msg := err.Error()
		msg = strings.TrimPrefix(msg, "jsonschema validation failed with 'file:///values.schema.json#'\n")
		return errors.New(strings.ReplaceAll(strings.TrimSpace(msg), "\n", "; "))
	}
	return nil
}
