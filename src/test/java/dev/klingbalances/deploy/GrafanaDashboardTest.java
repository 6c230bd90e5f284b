package dev.klingbalances.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static dev.klingbalances.deploy.HelmChart.asMap;
import static dev.klingbalances.deploy.HelmChart.at;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chart's Grafana dashboard: shipped in a ConfigMap for the sidecar when asked for, valid
 * JSON with the expected variables, and every query valid PromQL ({@code promtool check rules}
 * on a throwaway rule file). That every metric it queries exists is checked against a scrape
 * of the running app in {@code metrics/BalanceMetricsFlowTest}.
 */
class GrafanaDashboardTest {

	static final Path DASHBOARD = HelmChart.DIRECTORY.resolve("dashboards/kling-balances.json");

	/** A Grafana variable reference: $name, ${name} or ${name:format}. */
	private static final Pattern VARIABLE = Pattern.compile("\\$\\{?(\\w+)(?::\\w+)?}?");

	private final JsonMapper json = JsonMapper.builder().build();

	@TempDir
	Path directory;

	/** Every query of every panel (and the variables' queries), in panel order. */
	static List<String> queries(JsonNode dashboard) {
		List<String> queries = new ArrayList<>();
		for (JsonNode panel : dashboard.get("panels")) {
			for (JsonNode target : panel.path("targets")) {
				queries.add(target.get("expr").asString());
			}
		}
		return queries;
	}

	/**
	 * A query as Prometheus would receive it from Grafana: the interval variables become
	 * durations, the others (multi-value, "All" = .*) regular expressions.
	 */
	static String substituted(String query) {
		Matcher matcher = VARIABLE.matcher(query);
		StringBuilder result = new StringBuilder();
		while (matcher.find()) {
			String name = matcher.group(1);
			matcher.appendReplacement(result, name.startsWith("__") ? "5m" : ".*");
		}
		matcher.appendTail(result);
		return result.toString();
	}

	private JsonNode dashboard() throws IOException {
		return this.json.readTree(Files.readString(DASHBOARD, StandardCharsets.UTF_8));
	}

	@Test
	void rendersNoDashboardUnlessAskedTo() {
		assertThat(HelmChart.render(null).all("ConfigMap"))
			.noneMatch((map) -> asMap(at(map, "metadata.labels")).containsKey("grafana_dashboard"));
	}

	@Test
	void shipsTheDashboardInAConfigMapForTheSidecar() throws IOException {
		HelmChart.Rendered rendered = HelmChart.render(HelmChart.DIRECTORY, null,
				Map.of("grafanaDashboard", Map.of("enabled", true)));
		Map<String, Object> configMap = dashboardConfigMap(rendered, "grafana_dashboard");

		assertThat(at(configMap, "metadata.namespace")).isEqualTo(HelmChart.NAMESPACE);
		assertThat(asMap(at(configMap, "metadata.labels"))).containsEntry("grafana_dashboard", "1")
			.containsEntry("app.kubernetes.io/instance", HelmChart.RELEASE);
		assertThat(this.json.readTree(String.valueOf(at(configMap, "data.kling-balances\\.json")))).isEqualTo(dashboard());
	}

	@Test
	void theSidecarLabelNamespaceAndFolderAreValues() {
		HelmChart.Rendered rendered = HelmChart.render(HelmChart.DIRECTORY, null,
				Map.of("grafanaDashboard", Map.of("enabled", true, "labelName", "grafana_dashboard_kling", "labelValue",
						"yes", "namespace", "monitoring", "annotations", Map.of("grafana_folder", "Kling"))));
		Map<String, Object> configMap = dashboardConfigMap(rendered, "grafana_dashboard_kling");

		assertThat(at(configMap, "metadata.namespace")).isEqualTo("monitoring");
		assertThat(asMap(at(configMap, "metadata.labels"))).containsEntry("grafana_dashboard_kling", "yes")
			.doesNotContainKey("grafana_dashboard");
		assertThat(asMap(at(configMap, "metadata.annotations"))).containsEntry("grafana_folder", "Kling");
	}

	@Test
	void hasDatasourceJobProviderAndAccountVariablesThatEveryPanelUses() throws IOException {
		JsonNode dashboard = dashboard();
		Map<String, String> variables = new LinkedHashMap<>();
		dashboard.get("templating").get("list").forEach((variable) -> variables.put(variable.get("name").asString(),
				variable.get("type").asString()));

		assertThat(variables).containsEntry("datasource", "datasource")
			.containsEntry("job", "query")
			.containsEntry("provider", "query")
			.containsEntry("account", "query");
		assertThat(dashboard.get("uid").asString()).isEqualTo("kling-balances");
		for (JsonNode panel : dashboard.get("panels")) {
			if (panel.get("type").asString().equals("row")) {
				continue;
			}
			assertThat(panel.at("/datasource/uid").asString()).as(panel.get("title").asString()).isEqualTo("${datasource}");
			assertThat(panel.get("targets")).as(panel.get("title").asString()).isNotEmpty();
			panel.get("targets").forEach((target) -> {
				assertThat(target.at("/datasource/uid").asString()).isEqualTo("${datasource}");
				assertThat(target.get("expr").asString()).as(panel.get("title").asString()).contains("job=~\"$job\"");
			});
		}
	}

	@Test
	void everyQueryIsValidPromql() throws IOException {
		Promtool promtool = Promtool.require();
		List<String> queries = queries(dashboard());
		dashboard().get("templating").get("list").forEach((variable) -> {
			String query = variable.path("query").path("query").asString("");
			Matcher labelValues = Pattern.compile("^label_values\\((.*),\\s*\\w+\\)$").matcher(query);
			if (labelValues.matches()) {
				queries.add(labelValues.group(1));
			}
		});
		List<Object> rules = new ArrayList<>();
		for (int i = 0; i < queries.size(); i++) {
			rules.add(Map.of("record", "dashboard:query_" + i, "expr", substituted(queries.get(i))));
		}
		Promtool.writeRuleFile(this.directory.resolve("dashboard-queries.yml"),
				List.of(Map.of("name", "dashboard-queries", "rules", rules)));

		Promtool.Result result = promtool.run(this.directory, "check", "rules", "dashboard-queries.yml");

		assertThat(queries).hasSizeGreaterThan(20);
		assertThat(result.succeeded()).as(result.output()).isTrue();
		assertThat(result.output()).contains("SUCCESS: " + queries.size() + " rules found");
	}

	private static Map<String, Object> dashboardConfigMap(HelmChart.Rendered rendered, String label) {
		List<Map<String, Object>> found = rendered.all("ConfigMap")
			.stream()
			.filter((map) -> asMap(at(map, "metadata.labels")).containsKey(label))
			.toList();
		assertThat(found).hasSize(1);
		return found.get(0);
	}

}
