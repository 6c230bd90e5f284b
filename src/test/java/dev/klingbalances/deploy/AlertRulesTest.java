package dev.klingbalances.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.klingbalances.balance.BalancesProperties;
import dev.klingbalances.balance.TestSettings;
import dev.klingbalances.model.FailureClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

import org.springframework.boot.convert.DurationStyle;

import static dev.klingbalances.deploy.HelmChart.asList;
import static dev.klingbalances.deploy.HelmChart.asMap;
import static dev.klingbalances.deploy.HelmChart.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The chart's PrometheusRule: rendered with {@code prometheusRule.enabled=true}, checked by
 * {@code promtool check rules}, and unit-tested by {@code promtool test rules} with the files in
 * {@code src/test/resources/promtool/} (each alert fires where it should and stays quiet where
 * it should not, pod restarts included). Needs promtool: skipped without it outside CI.
 */
class AlertRulesTest {

	static final Path PROMTOOL_TESTS = HelmChart.BASEDIR.resolve("src/test/resources/promtool");

	private static final Path ALERTS_DOC = HelmChart.BASEDIR.resolve("docs/alerts.md");

	private static final Set<String> SEVERITIES = Set.of("critical", "warning", "info");

	@TempDir
	Path directory;

	static Map<String, Object> enabled(Map<String, Object> more) {
		Map<String, Object> rule = new java.util.LinkedHashMap<>(more);
		rule.put("enabled", true);
		return Map.of("prometheusRule", rule);
	}

	private static List<Object> groups(Map<String, Object> values) {
		HelmChart.Rendered rendered = HelmChart.render(HelmChart.DIRECTORY, null, values);
		return asList(at(rendered.one("PrometheusRule"), "spec.groups"));
	}

	private static List<Map<String, Object>> alerts(List<Object> groups) {
		return groups.stream()
			.flatMap((group) -> asList(asMap(group).get("rules")).stream())
			.map(HelmChart::asMap)
			.filter((rule) -> rule.containsKey("alert"))
			.toList();
	}

	static Stream<String> promtoolTests() throws IOException {
		try (Stream<Path> files = Files.list(PROMTOOL_TESTS)) {
			return files.map((file) -> file.getFileName().toString()).filter((name) -> name.endsWith(".yml")).sorted().toList().stream();
		}
	}

	@Test
	void rendersNoRuleUnlessAskedTo() {
		assertThat(HelmChart.render(null).has("PrometheusRule")).isFalse();
	}

	@Test
	void theRenderedRulesPassPromtoolCheck() {
		Promtool promtool = Promtool.require();
		Promtool.writeRuleFile(this.directory.resolve("rules.yml"), groups(enabled(Map.of())));

		Promtool.Result result = promtool.run(this.directory, "check", "rules", "rules.yml");

		assertThat(result.succeeded()).as(result.output()).isTrue();
		assertThat(result.output()).contains("SUCCESS: 9 rules found");
	}

	@ParameterizedTest
	@MethodSource("promtoolTests")
	void promtoolUnitTestsPass(String testFile) throws IOException {
		Promtool promtool = Promtool.require();
		Promtool.writeRuleFile(this.directory.resolve("rules.yml"), groups(enabled(Map.of())));
		Files.copy(PROMTOOL_TESTS.resolve(testFile), this.directory.resolve(testFile));

		Promtool.Result result = promtool.run(this.directory, "test", "rules", testFile);

		assertThat(result.succeeded()).as(result.output()).isTrue();
		assertThat(result.output()).contains("SUCCESS");
	}

	@Test
	void everyAlertFollowsTheMixinConventions() throws IOException {
		String doc = Files.readString(ALERTS_DOC, StandardCharsets.UTF_8);
		List<Map<String, Object>> alerts = alerts(groups(enabled(Map.of())));

		assertThat(alerts).extracting((rule) -> rule.get("alert"))
			.containsOnly("KlingBalancesLowBalance", "KlingBalancesRunsOutSoon", "KlingBalancesCreditsExpiringUnused",
					"KlingBalancesSessionExpiring", "KlingBalancesFiguresStale", "KlingBalancesAccountActionRequired",
					"KlingBalancesUpstreamFailing", "KlingBalancesTargetDown");
		for (Map<String, Object> rule : alerts) {
			String name = String.valueOf(rule.get("alert"));
			String expr = String.valueOf(rule.get("expr"));
			assertThat(String.valueOf(rule.get("for"))).as(name + " for").matches("[0-9]+[smhdw]");
			assertThat(String.valueOf(at(rule, "labels.severity"))).as(name + " severity").isIn(SEVERITIES);
			assertThat(String.valueOf(at(rule, "annotations.summary"))).as(name + " summary").isNotBlank();
			assertThat(String.valueOf(at(rule, "annotations.description"))).as(name + " description").isNotBlank();
			String anchor = name.toLowerCase(Locale.ROOT);
			assertThat(at(rule, "annotations.runbook_url")).as(name + " runbook").isEqualTo("docs/alerts.md#" + anchor);
			assertThat(doc).as("docs/alerts.md has a runbook heading for " + name).contains("\n### " + name + "\n");
			assertThat(expr).as(name + " selects this release's series").contains("job=\"kb-kling-balances\",namespace=\"balances\"");
			if (!name.equals("KlingBalancesTargetDown")) {
				assertThat(expr).as(name + " aggregates the pods away").contains("max without(instance, pod");
			}
		}
	}

	@Test
	void everyAlertHasAPromtoolTestThatFiresIt() throws IOException {
		Set<String> fired = new TreeSet<>();
		for (String file : promtoolTests().toList()) {
			Map<String, Object> suite = new Yaml().load(Files.readString(PROMTOOL_TESTS.resolve(file)));
			for (Object test : asList(suite.get("tests"))) {
				for (Object check : asList(asMap(test).get("alert_rule_test"))) {
					if (!asList(asMap(check).get("exp_alerts")).isEmpty()) {
						fired.add(String.valueOf(asMap(check).get("alertname")));
					}
				}
			}
		}

		assertThat(fired).containsExactlyInAnyOrderElementsOf(
				alerts(groups(enabled(Map.of()))).stream().map((rule) -> String.valueOf(rule.get("alert"))).collect(Collectors.toSet()));
	}

	@Test
	void theDefaultWindowsAreTheServicesAlertSettings() throws IOException {
		BalancesProperties.Alerts service = TestSettings.balances().alerts();
		Map<String, Object> rules = asMap(at(new Yaml().load(Files.readString(HelmChart.DIRECTORY.resolve("values.yaml"))),
				"prometheusRule.rules"));

		assertThat(duration(at(rules, "runsOut.within"))).isEqualTo(service.runsOutWithin());
		assertThat(duration(at(rules, "expiringUnused.within"))).isEqualTo(service.expiringUnusedWithin());
		assertThat(duration(at(rules, "sessionExpiring.within"))).isEqualTo(service.expiryWarning());
		assertThat(duration(at(rules, "stale.for"))).isEqualTo(service.staleAfter());
		assertThat(duration(at(rules, "accountError.for"))).isEqualTo(service.errorAfter());
		assertThat(duration(at(rules, "upstreamError.for"))).isEqualTo(service.errorAfter());
	}

	@Test
	void everyFailureClassBelongsToExactlyOneErrorAlert() throws IOException {
		Map<String, Object> rules = asMap(at(new Yaml().load(Files.readString(HelmChart.DIRECTORY.resolve("values.yaml"))),
				"prometheusRule.rules"));
		List<Object> act = asList(at(rules, "accountError.classes"));
		List<Object> wait = asList(at(rules, "upstreamError.classes"));

		List<Object> both = new ArrayList<>(act);
		both.addAll(wait);
		assertThat(both).doesNotHaveDuplicates()
			.containsExactlyInAnyOrderElementsOf(
					Arrays.stream(FailureClass.values()).map((value) -> value.name().toLowerCase(Locale.ROOT)).toList());
		assertThat(act).contains("authentication", "account_state");
		assertThat(wait).contains("unavailable", "throttled");
	}

	@Test
	void valuesTuneWindowsSeveritiesLabelsAndTheSelector() {
		Map<String, Object> values = enabled(Map.of("selector", "job=\"balances\",cluster=\"eu-1\"",
				"instanceLabels", List.of("instance", "pod", "node"), "additionalLabels", Map.of("team", "video"),
				"runbookUrl", "https://wiki.example.com/alerts.md", "labels", Map.of("release", "prometheus"),
				"rules", Map.of("runsOut", Map.of("within", "3d", "severity", "critical"), "targetDown",
						Map.of("enabled", false))));
		HelmChart.Rendered rendered = HelmChart.render(HelmChart.DIRECTORY, null, values);
		List<Map<String, Object>> alerts = alerts(asList(at(rendered.one("PrometheusRule"), "spec.groups")));

		assertThat(asMap(at(rendered.one("PrometheusRule"), "metadata.labels"))).containsEntry("release", "prometheus");
		assertThat(alerts).extracting((rule) -> rule.get("alert")).doesNotContain("KlingBalancesTargetDown");
		assertThat(alerts).allSatisfy((rule) -> {
			assertThat(String.valueOf(rule.get("expr"))).contains("{job=\"balances\",cluster=\"eu-1\"")
				.contains("max without(instance, pod, node")
				.doesNotContain("kb-kling-balances");
			assertThat(asMap(rule.get("labels"))).containsEntry("team", "video");
			assertThat(String.valueOf(at(rule, "annotations.runbook_url"))).startsWith("https://wiki.example.com/alerts.md#");
		});
		assertThat(alerts).filteredOn((rule) -> "KlingBalancesRunsOutSoon".equals(rule.get("alert")))
			.hasSize(2)
			.allSatisfy((rule) -> {
				assertThat(String.valueOf(rule.get("expr"))).contains("259200");
				assertThat(at(rule, "labels.severity")).isEqualTo("critical");
				assertThat(String.valueOf(at(rule, "annotations.summary"))).endsWith("within 3d");
			});
	}

	@Test
	void theSchemaRefusesWhatWouldBreakTheRules() {
		for (Map<String, Object> rules : List.<Map<String, Object>>of(Map.of("runsOut", Map.of("within", "two weeks")),
				Map.of("stale", Map.of("for", "1 hour")), Map.of("accountError", Map.of("classes", List.of("outage"))),
				Map.of("lowBalance", Map.of("severity", "")), Map.of("unknownRule", Map.of("enabled", true)))) {
			assertThatIllegalStateException()
				.isThrownBy(() -> HelmChart.render(HelmChart.DIRECTORY, null, enabled(Map.of("rules", rules))))
				.as(rules.toString())
				.withMessageContaining("schema");
		}
	}

	private static Duration duration(Object value) {
		return DurationStyle.detectAndParse(String.valueOf(value));
	}

}
