package dev.klingbalances.contract;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.Grant;
import dev.klingbalances.model.GrantStatus;
import dev.klingbalances.model.Products;
import dev.klingbalances.provider.BalanceProvider;
import dev.klingbalances.provider.BalanceSnapshot;
import dev.klingbalances.provider.UpstreamException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Three in-memory providers, so the HTTP surface can be tested without any upstream:
 * {@code alpha} (units) with a good account, one in arrears and one whose fetch fails
 * unclassified; {@code beta} (credits) with two e-mail accounts, one of them unicode; and
 * {@code broken}, whose account list cannot be read. Failures carry the configured fake
 * secrets (properties {@code test.secrets.*}) in their causes, as a careless client might, so
 * the secret scan can prove they never reach an answer or a log line.
 */
@TestConfiguration(proxyBeanMethods = false)
public class FakeProviders {

	public static final String UNICODE_EMAIL = "zoë@exämple.com";

	@Bean
	BalanceProvider alphaProvider(Environment environment) {
		String secretKey = environment.getProperty("test.secrets.alpha-secret-key", "unset");
		return new FakeProvider("alpha", "units", Duration.ofHours(12), Mono.just(List.of("team-a", "team-b", "team-c")),
				(account) -> switch (account) {
					case "team-a" -> Mono.just(new BalanceSnapshot(List.of(
							new Grant("509f3fd3d4ab4a3f9eec5db27aa44f27", "Video Generation - 200 units", "video", "decreasing_total",
									GrantStatus.ACTIVE, "online", new BigDecimal("200.0"), new BigDecimal("118.0"),
									Instant.parse("2025-01-01T00:00:00Z"), Instant.parse("2027-01-01T00:00:00Z"))),
							Map.of()));
					case "team-b" -> Mono.error(new UpstreamException(ErrorCode.ACCOUNT_IN_ARREARS,
							"Kling answered 429 with code 1101: the account is in arrears.", 429, null,
							new IllegalStateException("request signed with secret key " + secretKey)));
					default -> Mono.error(new IllegalStateException("bug while using secret key " + secretKey));
				});
	}

	@Bean
	BalanceProvider betaProvider(Environment environment) {
		String token = environment.getProperty("test.secrets.beta-token", "unset");
		return new FakeProvider("beta", "credits", null, Mono.just(List.of("alice@example.com", UNICODE_EMAIL)),
				(account) -> (account.equals("alice@example.com"))
						? Mono.just(new BalanceSnapshot(List.of(new Grant("order-1", null, Products.CREDITS, "plan", GrantStatus.ACTIVE, null,
								new BigDecimal("660"), new BigDecimal("420"), null, null)), Map.of("maxJobs", 4)))
						: Mono.error(new UpstreamException(ErrorCode.AUTHENTICATION_FAILED,
								"useapi.net refused the configured token (401).", 401, null,
								new IllegalStateException("Bearer " + token))));
	}

	@Bean
	BalanceProvider brokenProvider(Environment environment) {
		String token = environment.getProperty("test.secrets.beta-token", "unset");
		return new FakeProvider("broken", "credits", null,
				Mono.error(new UpstreamException(ErrorCode.UPSTREAM_UNAVAILABLE, "The upstream answered 503.", 503,
						null, new IllegalStateException("Authorization: Bearer " + token))),
				(account) -> Mono.error(new IllegalStateException("never asked")));
	}

	record FakeProvider(String name, String unit, @Nullable Duration dataDelay, Mono<List<String>> accountList,
			java.util.function.Function<String, Mono<BalanceSnapshot>> fetcher) implements BalanceProvider {

		@Override
		public List<String> products() {
			return List.of("credits".equals(this.unit) ? Products.CREDITS : "video");
		}

		@Override
		public Duration cacheTtl() {
			return Duration.ofMinutes(5);
		}

		@Override
		public Mono<List<String>> accounts() {
			return this.accountList;
		}

		@Override
		public Mono<BalanceSnapshot> fetch(String account) {
			return this.fetcher.apply(account);
		}

		@Override
		public String toString() {
			return "FakeProvider[" + this.name + "]";
		}

	}

}
