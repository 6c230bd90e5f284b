package dev.klingbalances.demo;

import java.util.List;

import dev.klingbalances.demo.DemoUpstreamServer.KlingCredential;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.core.env.Environment;

/**
 * The demo profile: simulated upstreams on 127.0.0.1 that accept exactly the credentials the
 * real clients are configured with ({@code application-demo.yml}), so the credentials live in
 * one place. Nothing here exists unless the {@code demo} profile is active.
 */
@Configuration(proxyBeanMethods = false)
@Profile("demo")
@EnableConfigurationProperties(DemoProperties.class)
class DemoConfiguration {

	@Bean
	DemoUpstreamServer demoUpstreamServer(DemoProperties properties, Environment environment) {
		Binder binder = Binder.get(environment);
		List<KlingCredential> klingAccounts = binder
			.bind("balances.kling.accounts", Bindable.listOf(KlingCredential.class))
			.orElseGet(List::of);
		String useapiToken = binder.bind("balances.useapi.token", String.class).orElse(null);
		return new DemoUpstreamServer(properties, klingAccounts, useapiToken);
	}

}
