package dev.klingbalances.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;

import dev.klingbalances.demo.DemoUpstreamServer.KlingCredential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(OutputCaptureExtension.class)
class DemoConfigurationTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withUserConfiguration(DemoConfiguration.class);

	@Test
	void nothingStartsWithoutTheDemoProfile(CapturedOutput output) {
		this.runner.withInitializer(DemoConfigurationTest::loadApplicationYml).run((context) -> {
			assertThat(context).hasNotFailed().doesNotHaveBean(DemoUpstreamServer.class);
			assertThat(output).doesNotContain("DEMO MODE");
		});
	}

	@Test
	void applicationYmlNeverActivatesTheDemoProfile() {
		for (PropertySource<?> source : yaml("application.yml")) {
			for (String property : List.of("spring.profiles.active", "spring.profiles.include",
					"spring.profiles.default")) {
				assertThat(String.valueOf(source.getProperty(property))).as(property).doesNotContain("demo");
			}
			assertThat(source.containsProperty("balances.demo.port")).isFalse();
		}
	}

	@Test
	void demoProfileServesTheCredentialsApplicationDemoYmlGivesTheClients(CapturedOutput output) throws IOException {
		int port = DemoHttp.freePort();
		DemoHttp http = new DemoHttp();
		DemoUpstreamServer[] started = new DemoUpstreamServer[1];
		this.runner.withInitializer(DemoConfigurationTest::activateDemoProfile)
			.withPropertyValues("balances.demo.port=" + port, "balances.demo.latency=0ms",
					"balances.demo.latency-jitter=0ms")
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(DemoUpstreamServer.class);
				DemoUpstreamServer server = context.getBean(DemoUpstreamServer.class);
				started[0] = server;
				assertThat(server.isRunning()).isTrue();
				assertThat(server.port()).isEqualTo(port);

				Binder binder = Binder.get(context.getEnvironment());
				assertThat(binder.bind("balances.kling.base-url", String.class).get())
					.isEqualTo(server.klingBaseUrl().toString());
				assertThat(binder.bind("balances.useapi.base-url", String.class).get())
					.isEqualTo(server.useapiBaseUrl().toString());
				assertThat(binder.bind("balances.useapi.emails", Bindable.listOf(String.class)).get()).isEmpty();
				assertThat(binder.bind("balances.security.mode", String.class).get()).isEqualTo("none");
				List<KlingCredential> accounts = binder
					.bind("balances.kling.accounts", Bindable.listOf(KlingCredential.class))
					.get();
				assertThat(accounts).extracting(KlingCredential::id).containsExactly("studio-main", "studio-backup");
				KlingCredential jwtAccount = accounts.get(0);
				KlingCredential apiKeyAccount = accounts.get(1);
				assertThat(jwtAccount.secretKey().getBytes()).as("HS256 needs a 32-byte secret").hasSizeGreaterThanOrEqualTo(32);
				assertThat(apiKeyAccount.accessKey()).isNull();

				String costs = server.klingBaseUrl() + "/account/costs?start_time=" + (System.currentTimeMillis()
						- 400L * 86_400_000L) + "&end_time=" + System.currentTimeMillis();
				HttpResponse<String> signed = http.get(URI.create(costs),
						"Bearer " + DemoHttp.kling(jwtAccount.accessKey(), jwtAccount.secretKey()));
				HttpResponse<String> apiKey = http.get(URI.create(costs), "Bearer " + apiKeyAccount.apiKey());
				String token = binder.bind("balances.useapi.token", String.class).get();
				HttpResponse<String> discovery = http.get(URI.create(server.useapiBaseUrl() + "/v1/kling/accounts"),
						"Bearer " + token);
				assertThat(signed.statusCode()).as(signed.body()).isEqualTo(200);
				assertThat(DemoHttp.json(signed).get("data").get("resource_pack_subscribe_infos").size()).isEqualTo(5);
				assertThat(apiKey.statusCode()).as(apiKey.body()).isEqualTo(200);
				assertThat(DemoHttp.json(apiKey).get("data").get("resource_pack_subscribe_infos").size()).isEqualTo(3);
				assertThat(discovery.statusCode()).isEqualTo(200);
				assertThat(DemoHttp.json(discovery).propertyNames()).hasSize(2);

				assertThat(output).contains("DEMO MODE").contains("http://127.0.0.1:" + port)
					.contains("studio-main (access key + secret key)")
					.contains("studio-backup (API key)")
					.doesNotContain(jwtAccount.secretKey())
					.doesNotContain(apiKeyAccount.apiKey())
					.doesNotContain(token);
			});
		assertThat(started[0]).isNotNull();
		assertThat(started[0].isRunning()).as("stopped with its context").isFalse();
	}

	private static void activateDemoProfile(ConfigurableApplicationContext context) {
		context.getEnvironment().setActiveProfiles("demo");
		// As Boot orders them: the profile's file ahead of application.yml.
		yaml("application-demo.yml").forEach(context.getEnvironment().getPropertySources()::addLast);
		loadApplicationYml(context);
	}

	private static void loadApplicationYml(ConfigurableApplicationContext context) {
		yaml("application.yml").forEach(context.getEnvironment().getPropertySources()::addLast);
	}

	private static List<PropertySource<?>> yaml(String name) {
		try {
			return new YamlPropertySourceLoader().load(name, new ClassPathResource(name));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
