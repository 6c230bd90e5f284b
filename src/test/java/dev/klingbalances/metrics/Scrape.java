package dev.klingbalances.metrics;

import java.math.BigDecimal;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A parsed {@code /actuator/prometheus} answer (text format 0.0.4): every sample as a series
 * (name and labels) with its value exactly as printed.
 */
record Scrape(Map<Series, String> samples) {

	/** A metric name with its labels, sorted. */
	record Series(String name, Map<String, String> labels) {

		Series {
			labels = new TreeMap<>(labels);
		}

		@Override
		public String toString() {
			return this.name + this.labels;
		}

	}

	static Scrape parse(String text) {
		Map<Series, String> samples = new LinkedHashMap<>();
		for (String line : text.split("\n")) {
			if (line.isBlank() || line.startsWith("#")) {
				continue;
			}
			int brace = line.indexOf('{');
			int space = line.indexOf(' ');
			Map<String, String> labels = new TreeMap<>();
			String name;
			int rest;
			if (brace >= 0 && brace < space) {
				name = line.substring(0, brace);
				rest = parseLabels(line, brace + 1, labels);
			}
			else {
				name = line.substring(0, space);
				rest = space;
			}
			String[] value = line.substring(rest).trim().split(" ");
			if (samples.put(new Series(name, labels), value[0]) != null) {
				throw new IllegalStateException("series twice in one scrape: " + line);
			}
		}
		return new Scrape(samples);
	}

	/** Reads {@code k="v",...}} from {@code at}; returns the index after the closing brace. */
	private static int parseLabels(String line, int at, Map<String, String> labels) {
		int i = at;
		while (line.charAt(i) != '}') {
			int equals = line.indexOf('=', i);
			String key = line.substring(i, equals);
			StringBuilder value = new StringBuilder();
			int j = equals + 2;
			while (line.charAt(j) != '"') {
				char c = line.charAt(j);
				if (c == '\\') {
					char escaped = line.charAt(++j);
					value.append(escaped == 'n' ? '\n' : escaped);
				}
				else {
					value.append(c);
				}
				j++;
			}
			labels.put(key, value.toString());
			i = j + 1;
			if (line.charAt(i) == ',') {
				i++;
			}
		}
		return i + 1;
	}

	/** The samples of the named metrics, values as decimals without trailing zeros (so 118.0 equals 118). */
	Map<Series, BigDecimal> decimals(Set<String> names) {
		Map<Series, BigDecimal> selected = new LinkedHashMap<>();
		this.samples.entrySet()
			.stream()
			.filter((sample) -> names.contains(sample.getKey().name()))
			.sorted(Comparator.comparing((sample) -> sample.getKey().toString()))
			.forEach((sample) -> selected.put(sample.getKey(), new BigDecimal(sample.getValue()).stripTrailingZeros()));
		return selected;
	}

	/** Names of every metric in the scrape. */
	Set<String> names() {
		Set<String> names = new TreeSet<>();
		this.samples.keySet().forEach((series) -> names.add(series.name()));
		return names;
	}

}
