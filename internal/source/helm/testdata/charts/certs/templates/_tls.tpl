{{- define "certs.ca" -}}
{{- $ca := genCA "webhook-ca" 365 -}}
{{ $ca.Cert | b64enc }}
{{- end -}}
