package report

import (
	"encoding/json"
	"io"
	"strings"

	"github.com/bulwark-dev/bulwark/internal/rule"
)

// SARIF 2.1.0 as GitHub code scanning reads it: rules with help and a
// security-severity, results with a region and partialFingerprints.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	ShortDescription sarifText      `json:"shortDescription"`
	FullDescription  sarifText      `json:"fullDescription"`
	Help             sarifText      `json:"help"`
	HelpURI          string         `json:"helpUri,omitempty"`
	Default          sarifDefault   `json:"defaultConfiguration"`
	Properties       map[string]any `json:"properties"`
}

type sarifDefault struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]any    `json:"properties,omitempty"`
}

type sarifLocation struct {
	Physical sarifPhysical  `json:"physicalLocation"`
	Logical  []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	Artifact sarifArtifact `json:"artifactLocation"`
	Region   *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

type sarifLogical struct {
	Name               string `json:"name,omitempty"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

// securitySeverity maps severities to the CVSS-like scores GitHub buckets.
var securitySeverity = map[rule.Severity]string{
	rule.Critical: "9.5", rule.High: "8.0", rule.Medium: "5.5", rule.Low: "3.0", rule.Info: "0.0",
}

func sarifLevel(s rule.Severity) string {
	switch {
	case s >= rule.High:
		return "error"
	case s >= rule.Medium:
		return "warning"
	}
	return "note"
}

// WriteSARIF writes a SARIF 2.1.0 log with every rule that ran.
func WriteSARIF(w io.Writer, r *Report) error {
	driver := sarifDriver{Name: "bulwark", Version: r.Tool.Version, InformationURI: "https://github.com/bulwark-dev/bulwark"}
	index := map[string]int{}
	for i, m := range r.Rules {
		index[m.ID] = i
		help := m.Why + "\n\nRemediation: " + m.Remediation
		md := "**" + m.Title + "**\n\n" + m.Why + "\n\n**Remediation:** " + m.Remediation
		if len(m.References) > 0 {
			md += "\n\n**References:**\n- " + strings.Join(m.References, "\n- ")
		}
		sr := sarifRule{
			ID: m.ID, Name: m.Name,
			ShortDescription: sarifText{Text: m.Title},
			FullDescription:  sarifText{Text: m.Why},
			Help:             sarifText{Text: help, Markdown: md},
			Default:          sarifDefault{Level: sarifLevel(m.Severity)},
			Properties: map[string]any{
				"tags":              []string{"security", string(m.Category)},
				"security-severity": securitySeverity[m.Severity],
				"precision":         "high",
			},
		}
		if len(m.References) > 0 {
			sr.HelpURI = m.References[0]
		}
		driver.Rules = append(driver.Rules, sr)
	}
	run := sarifRun{Tool: sarifTool{Driver: driver}, Results: []sarifResult{}}
	for _, f := range r.Findings {
		level := sarifLevel(f.Severity)
		if f.Action == rule.Block {
			level = "error"
		} else if f.Action == rule.Ignored {
			level = "none"
		}
		loc := sarifLocation{Physical: sarifPhysical{Artifact: sarifArtifact{URI: f.Location.File, URIBaseID: "%SRCROOT%"}}}
		if f.Location.Line > 0 {
			loc.Physical.Region = &sarifRegion{StartLine: f.Location.Line, StartColumn: f.Location.Column}
		}
		if o := f.Object; o != nil {
			name := o.Kind + "/" + o.Name
			if o.Namespace != "" {
				name = o.Namespace + "/" + name
			}
			fq := name
			if f.Location.FieldPath != "" {
				fq += ":" + f.Location.FieldPath
			}
			loc.Logical = []sarifLogical{{Name: o.Name, FullyQualifiedName: fq, Kind: "object"}}
		}
		if a := f.Origin; a != nil {
			// The app is the deployable unit the object belongs to.
			_, name, _ := strings.Cut(a.App, "/")
			if name == "" {
				name = a.App
			}
			loc.Logical = append(loc.Logical, sarifLogical{Name: name, FullyQualifiedName: appPath(a), Kind: "module"})
		}
		res := sarifResult{
			RuleID: f.ID, RuleIndex: index[f.ID], Level: level,
			Message:             sarifText{Text: f.Title + ": " + f.Message},
			Locations:           []sarifLocation{loc},
			PartialFingerprints: map[string]string{"bulwarkFingerprint/v1": f.Fingerprint},
			Properties:          map[string]any{"severity": f.Severity.String(), "action": string(f.Action)},
		}
		if len(f.Location.Chain) > 0 {
			res.Properties["renderChain"] = f.Location.Chain
		}
		if f.Origin != nil {
			res.Properties["origin"] = f.Origin
		}
		run.Results = append(run.Results, res)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{run},
	})
}
