package dev.klingbalances;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.klingbalances.cache.SharedStore;
import dev.klingbalances.forecast.HistoryStore;
import dev.klingbalances.notify.NotificationStateStore;
import dev.klingbalances.security.SharedConsumerBudget;
import dev.klingbalances.upstream.RequestLanes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package layout that each {@code package-info.java} states: which packages each package may
 * import, and no cycles between them. A new import against the direction fails here with the
 * class that made it.
 */
class ArchitectureTest {

	private static final String BASE = "dev.klingbalances";

	/** The rule of every {@code provider.<name>} package. */
	private static final String PROVIDER_PACKAGE = "provider.*";

	/** Each package and the packages of this project it may import (besides itself). */
	private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(Map.entry("model", Set.of()),
			Map.entry("provider", Set.of("model")), Map.entry("cache", Set.of("model", "provider")),
			Map.entry("upstream", Set.of("model", "provider", "cache")),
			// Every provider package alike, whatever it is called: never another provider.
			Map.entry(PROVIDER_PACKAGE, Set.of("model", "provider", "upstream")),
			Map.entry("forecast", Set.of("model", "provider", "cache")),
			Map.entry("balance", Set.of("model", "provider", "cache", "forecast")),
			Map.entry("web", Set.of("model", "provider", "cache", "balance")),
			Map.entry("security", Set.of("model", "cache", "balance", "web")),
			Map.entry("notify", Set.of("model", "provider", "cache", "balance")),
			Map.entry("metrics", Set.of("model", "provider", "balance")),
			Map.entry("status", Set.of("model", "provider", "forecast", "balance")),
			Map.entry("store", Set.of("model", "provider", "cache", "upstream", "forecast", "balance", "web", "security",
					"notify")),
			Map.entry("fastpath", Set.of("balance", "security")), Map.entry("demo", Set.of()), Map.entry("", Set.of("*")));

	private static JavaClasses classes;

	@BeforeAll
	static void importMainClasses() {
		classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(BASE);
	}

	@Test
	void everyPackageIsDescribedAndHasARuleHere() {
		Set<String> packages = new TreeSet<>();
		classes.forEach((javaClass) -> packages.add(relative(javaClass.getPackageName())));
		assertThat(ALLOWED.keySet()).containsAll(packages.stream().map(ArchitectureTest::rule).toList());
		packages.remove("");
		for (String pkg : packages) {
			assertThat(classes.containPackage(BASE + "." + pkg)).isTrue();
			assertThat(getClass().getClassLoader().getResource((BASE + "." + pkg).replace('.', '/') + "/package-info.class"))
				.as("package-info.java of %s", pkg)
				.isNotNull();
		}
	}

	@Test
	void importsFollowTheStatedDirection() {
		Map<String, List<String>> violations = new TreeMap<>();
		classes.forEach((javaClass) -> {
			String from = relative(javaClass.getPackageName());
			Set<String> allowed = ALLOWED.getOrDefault(rule(from), Set.of());
			for (Dependency dependency : javaClass.getDirectDependenciesFromSelf()) {
				String target = dependency.getTargetClass().getPackageName();
				if (!target.equals(BASE) && !target.startsWith(BASE + ".")) {
					continue;
				}
				String to = relative(target);
				if (!to.equals(from) && !allowed.contains("*") && !allowed.contains(to)) {
					violations.computeIfAbsent(from + " -> " + to, (key) -> new ArrayList<>())
						.add(dependency.getDescription());
				}
			}
		});
		assertThat(violations).as("imports against the direction stated in package-info.java").isEmpty();
	}

	/**
	 * The store type is chosen in one place: only {@code store}'s configuration reads
	 * {@code balances.store.type}, and every store interface is implemented there alone.
	 */
	@Test
	void storeTypeIsChosenInStoreOnly() {
		List<String> readers = new ArrayList<>();
		classes.forEach((javaClass) -> {
			Stream.concat(javaClass.getAnnotations().stream(),
					javaClass.getMethods().stream().flatMap((method) -> method.getAnnotations().stream()))
				.filter((annotation) -> annotation.getRawType().isEquivalentTo(ConditionalOnProperty.class))
				.map((annotation) -> (ConditionalOnProperty) annotation.as(ConditionalOnProperty.class))
				.filter((condition) -> Stream.concat(Stream.of(condition.name()), Stream.of(condition.value()))
					.anyMatch((name) -> (condition.prefix().isEmpty() ? name : condition.prefix() + "." + name)
						.equals("balances.store.type")))
				.forEach((condition) -> readers.add(javaClass.getName()));
		});
		assertThat(readers).isNotEmpty().allMatch((reader) -> reader.startsWith(BASE + ".store.StoreConfiguration"));
		classes().that()
			.implement(SharedStore.class)
			.or()
			.implement(HistoryStore.class)
			.or()
			.implement(NotificationStateStore.class)
			.or()
			.implement(RequestLanes.class)
			.or()
			.implement(SharedConsumerBudget.class)
			.should()
			.resideInAPackage(BASE + ".store")
			.check(classes);
	}

	@Test
	void packagesHaveNoCycles() {
		slices().matching(BASE + ".(**)").should().beFreeOfCycles().check(classes);
	}

	/** The key of a package's rule: its own, or the one of every provider package. */
	private static String rule(String pkg) {
		return pkg.startsWith("provider.") ? PROVIDER_PACKAGE : pkg;
	}

	private static String relative(String packageName) {
		return packageName.equals(BASE) ? "" : packageName.substring(BASE.length() + 1);
	}

}
