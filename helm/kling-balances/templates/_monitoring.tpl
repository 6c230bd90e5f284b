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

{{/*
One balance gauge as alert rules read it: per account, the series of the pod(s) that learned the
account's state last (the highest balances_checked_timestamp_seconds over gapTolerance), pods
aggregated away with max (pods that tie agree, or are equally fresh). A pod still exporting the
account is read as it is now (a series it dropped is gone at once: the alert resolves with the
first evaluation); a pod that stopped exporting it (restarting, gone) is read at its last sample
within gapTolerance, so a restart's gap neither resolves nor restarts an alert.
Arguments (a list): the metric name; the root context; extra label matchers (`,class=~"..."` or
""); extra labels to aggregate away ("code, class" or "").
*/}}
{{- define "kling-balances.freshest" -}}
{{- $metric := index . 0 -}}
{{- $root := index . 1 -}}
{{- $rule := $root.Values.prometheusRule -}}
{{- $sel := include "kling-balances.ruleSelector" $root -}}
{{- $pods := join ", " $rule.instanceLabels -}}
{{- $gap := $rule.gapTolerance -}}
{{- $series := printf "%s{%s%s}" $metric $sel (index . 2) -}}
{{- $on := printf "on(%s, provider, account)" $pods -}}
{{- $exporting := printf "balances_checked_timestamp_seconds{%s}" $sel -}}
{{- $checked := printf "last_over_time(%s[%s])" $exporting $gap -}}
max without({{ $pods }}{{ with index . 3 }}, {{ . }}{{ end }}) ((({{ $series }} and {{ $on }} {{ $exporting }}) or (last_over_time({{ $series }}[{{ $gap }}]) unless {{ $on }} {{ $exporting }})) and {{ $on }} ({{ $checked }} == ignoring({{ $pods }}) group_left() max without({{ $pods }}) ({{ $checked }})))
{{- end }}
