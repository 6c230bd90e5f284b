package dev.klingbalances.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps scripts/bench from rotting without running the benchmark (it is not a test, and
 * {@code ./mvnw verify} must stay quick): the script parses, and the bare reference app and the
 * start-up probe still compile against the Spring Boot this project builds with. Their own pom
 * uses the same parent, so a Boot upgrade that breaks them fails here first.
 */
class BenchScriptsTest {

	private static final Path BENCH = Path.of("scripts", "bench");

	@ParameterizedTest
	@ValueSource(strings = { "bench.sh", "scaling.sh", "container-startup.sh" })
	void benchScriptParses(String script) throws Exception {
		Process bash = new ProcessBuilder("bash", "-n", BENCH.resolve(script).toString())
			.redirectErrorStream(true)
			.start();
		assertThat(bash.waitFor(30, TimeUnit.SECONDS)).as("bash -n finished").isTrue();
		String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(bash.exitValue()).as("bash -n scripts/bench/%s: %s", script, output).isZero();
	}

	@Test
	void bareAppAndStartupProbeCompile(@TempDir Path classes) throws IOException {
		List<String> sources = new ArrayList<>();
		try (Stream<Path> files = Files.walk(BENCH.resolve("bare").resolve("src"))) {
			files.filter((file) -> file.toString().endsWith(".java")).forEach((file) -> sources.add(file.toString()));
		}
		sources.add(BENCH.resolve("startup").resolve("StartupSteps.java").toString());
		assertThat(sources).as("the bare app's sources").hasSizeGreaterThan(1);

		JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
		assertThat(javac).as("a JDK's compiler").isNotNull();
		List<String> arguments = new ArrayList<>(List.of("-proc:none", "--release", "17",
				"-classpath", System.getProperty("java.class.path"), "-d", classes.toString()));
		arguments.addAll(sources);
		ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
		int status = javac.run(null, OutputStream.nullOutputStream(), diagnostics, arguments.toArray(String[]::new));
		assertThat(status).as("javac of scripts/bench: %s", diagnostics.toString(StandardCharsets.UTF_8)).isZero();
		assertThat(classes.resolve("dev/klingbalances/bench/bare/FixedBodyController.class")).exists();
		assertThat(classes.resolve("StartupSteps.class")).exists();
	}

}
