{{/*
PromQL label matchers that pick this release's series in Prometheus: prometheusRule.selector,
or the job and namespace that the chart's ServiceMonitor gives them (job = the Service name).
*/}}
{{- define "kling-balances.ruleSelector" -}}
{{- .Values.prometheusRule.selector | default (printf "job=%q,namespace=%q" (include "kling-balances.fullname" .) .Release.Namespace) -}}
{{- end }}

{{/*
A Prometheus duration with one unit (30s, 15m, 12h, 14d, 2w) in seconds, for comparisons with time().
*/}}
{{- define "kling-balances.seconds" -}}
{{- $duration := toString . -}}
{{- if not (regexMatch "^[0-9]+[smhdw]$" $duration) -}}
{{- fail (printf "%q is not a duration such as 30s, 15m, 12h, 14d or 2w" $duration) -}}
{{- end -}}
{{- $factor := get (dict "s" 1 "m" 60 "h" 3600 "d" 86400 "w" 604800) (regexFind "[smhdw]$" $duration) -}}
{{- mul (trimSuffix (regexFind "[smhdw]$" $duration) $duration | atoi) $factor -}}
{{- end }}
