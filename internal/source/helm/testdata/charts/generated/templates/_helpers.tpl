{{- define "generated.sessionSecret" -}}
{{ randAscii 48 | b64enc }}
{{- end -}}
