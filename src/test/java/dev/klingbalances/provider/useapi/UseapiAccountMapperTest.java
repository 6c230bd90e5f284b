package dev.klingbalances.provider.useapi;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.Grant;
import dev.klingbalances.model.GrantStatus;
import dev.klingbalances.model.Products;
import dev.klingbalances.provider.BalanceSnapshot;
import dev.klingbalances.provider.UpstreamException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;

class UseapiAccountMapperTest {

	private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

	private static final long NOW_SECONDS = NOW.getEpochSecond();

	private static final long DAY = 86_400;

	private final UseapiAccountMapper mapper = new UseapiAccountMapper(Clock.fixed(NOW, ZoneOffset.UTC));

	@Test
	void mapsDocumentedAccountToGrantsAndDetails() {
		BalanceSnapshot snapshot = map("""
				{"email":"jane@example.com",
				 "session":{"userId":"user12345","ExpireTime":%d,"ExpireTimeUTC":"2025-07-01T12:13:14.000Z"},
				 "maxJobs":5, "password":"…secured…",
				 "balance":{"points":[{"orderId":"123456789","type":"plan","amount":66000,"balance":56000,
				                       "startTime":%d,"endTime":%d}],
				            "tickets":[{},{}], "nextApplyTime":%d, "total":56000}}
				""".formatted(NOW_SECONDS + 10 * DAY, NOW_SECONDS - DAY, NOW_SECONDS + 30 * DAY, NOW_SECONDS + 7 * DAY));

		assertThat(snapshot.grants()).containsExactly(new Grant("123456789", null, Products.CREDITS, "plan", GrantStatus.ACTIVE, null,
				new BigDecimal("66000"), new BigDecimal("56000"), NOW.minusSeconds(DAY), NOW.plusSeconds(30 * DAY)));
		assertThat(snapshot.details()).containsExactly(
				entry("sessionExpiresAt", Instant.parse("2025-07-01T12:13:14Z")),
				entry("maxJobs", 5), entry("nextRefillAt", NOW.plusSeconds(7 * DAY)),
				entry("reportedTotal", new BigDecimal("56000")), entry("tickets", 2));
	}

	@Test
	void neverCarriesPasswordOrUserId() {
		BalanceSnapshot snapshot = map("""
				{"session":{"userId":"user-id-4711"}, "password":"plain-pass-0815",
				 "balance":{"points":[{"orderId":"o1","type":"plan","amount":10,"balance":5}]}}
				""");

		assertThat(snapshot.toString()).doesNotContain("plain-pass-0815").doesNotContain("user-id-4711");
		assertThat(snapshot.details()).doesNotContainKeys("password", "userId", "session");
	}

	@Test
	void derivesStatusFromTimeWindowThenBalance() {
		BalanceSnapshot snapshot = map("""
				{"balance":{"points":[
				  {"orderId":"pending","balance":100,"startTime":%1$d,"endTime":%2$d},
				  {"orderId":"expired","balance":100,"startTime":%3$d,"endTime":%4$d},
				  {"orderId":"expires-now","balance":100,"endTime":%5$d},
				  {"orderId":"exhausted","balance":0,"startTime":%3$d,"endTime":%2$d},
				  {"orderId":"negative","balance":-3},
				  {"orderId":"active","balance":0.5,"startTime":%5$d,"endTime":%2$d},
				  {"orderId":"pending-and-empty","balance":0,"startTime":%1$d}
				]}}
				""".formatted(NOW_SECONDS + DAY, NOW_SECONDS + 2 * DAY, NOW_SECONDS - 2 * DAY, NOW_SECONDS - DAY,
				NOW_SECONDS));

		assertThat(snapshot.grants()).extracting(Grant::id, Grant::status)
			.containsExactly(tuple("pending", GrantStatus.PENDING),
					tuple("expired", GrantStatus.EXPIRED),
					tuple("expires-now", GrantStatus.EXPIRED),
					tuple("exhausted", GrantStatus.EXHAUSTED),
					tuple("negative", GrantStatus.EXHAUSTED),
					tuple("active", GrantStatus.ACTIVE),
					tuple("pending-and-empty", GrantStatus.PENDING));
		assertThat(snapshot.grants()).allSatisfy((grant) -> assertThat(grant.rawStatus()).isNull());
		assertThat(snapshot.grants().get(4).remaining()).isEqualByComparingTo("-3");
	}

	@Test
	void readsEpochBelowTenToTheElevenAsSecondsAndAboveAsMilliseconds() {
		BalanceSnapshot snapshot = map("""
				{"balance":{"points":[
				  {"orderId":"s","balance":1,"startTime":1735689600,"endTime":99999999999},
				  {"orderId":"ms","balance":1,"startTime":1735689600000,"endTime":100000000000},
				  {"orderId":"fraction","balance":1,"startTime":1735689600.25}
				], "nextApplyTime":1767225600000}}
				""");

		assertThat(snapshot.grants().get(0).startsAt()).isEqualTo("2025-01-01T00:00:00Z");
		assertThat(snapshot.grants().get(0).expiresAt()).isEqualTo(Instant.ofEpochSecond(99_999_999_999L));
		assertThat(snapshot.grants().get(1).startsAt()).isEqualTo("2025-01-01T00:00:00Z");
		assertThat(snapshot.grants().get(1).expiresAt()).isEqualTo(Instant.ofEpochMilli(100_000_000_000L));
		assertThat(snapshot.grants().get(2).startsAt()).isEqualTo("2025-01-01T00:00:00.250Z");
		assertThat(snapshot.details()).containsEntry("nextRefillAt", Instant.parse("2026-01-01T00:00:00Z"));
	}

	@Test
	void prefersIsoExpireTimeUtcOverEpochExpireTime() {
		BalanceSnapshot both = map("""
				{"session":{"ExpireTime":1735689600,"ExpireTimeUTC":"2025-08-01T10:00:00+02:00"},
				 "balance":{"points":[]}}
				""");
		BalanceSnapshot epochOnly = map("""
				{"session":{"ExpireTime":1735689600000}, "balance":{"points":[]}}
				""");
		BalanceSnapshot unreadableIso = map("""
				{"session":{"ExpireTime":1735689600,"ExpireTimeUTC":"next tuesday"}, "balance":{"points":[]}}
				""");

		assertThat(both.details()).containsEntry("sessionExpiresAt", Instant.parse("2025-08-01T08:00:00Z"));
		assertThat(epochOnly.details()).containsEntry("sessionExpiresAt", Instant.parse("2025-01-01T00:00:00Z"));
		assertThat(unreadableIso.details()).containsEntry("sessionExpiresAt", Instant.parse("2025-01-01T00:00:00Z"));
	}

	@Test
	void leavesMissingFieldsOutInsteadOfInventingZeros() {
		BalanceSnapshot snapshot = map("""
				{"balance":{"points":[{}]}}
				""");

		assertThat(snapshot.grants()).containsExactly(
				new Grant(null, null, Products.CREDITS, null, GrantStatus.UNKNOWN, null, null, null, null, null));
		assertThat(snapshot.details()).isEmpty();
	}

	@Test
	void treatsWrongTypesAsUnknownWithoutFailing() {
		BalanceSnapshot snapshot = map("""
				{"session":"yesterday", "maxJobs":"many",
				 "balance":{"points":[{"orderId":{"x":1},"type":7,"amount":"lots","balance":true,
				                       "startTime":"soon","endTime":[1]},
				                      {"orderId":4711,"type":"plan","amount":"66000","balance":" 560.5 ",
				                       "startTime":-5,"endTime":0}],
				            "tickets":"none", "nextApplyTime":{}, "total":null}}
				""");

		assertThat(snapshot.grants().get(0))
			.isEqualTo(new Grant(null, null, Products.CREDITS, null, GrantStatus.UNKNOWN, null, null, null, null, null));
		// Plain numbers sent as strings are unambiguous; zero or negative epochs mean "not set".
		assertThat(snapshot.grants().get(1)).isEqualTo(new Grant("4711", null, Products.CREDITS, "plan", GrantStatus.ACTIVE, null,
				new BigDecimal("66000"), new BigDecimal("560.5"), null, null));
		assertThat(snapshot.details()).isEmpty();
	}

	@ParameterizedTest
	@ValueSource(strings = { "1e999999999", "-1e999999999", "1e-999999999", "1e16", "0.0000000001",
			"\"1e5\"", "\"NaN\"", "\"Infinity\"", "\"0x10\"" })
	void treatsAbsurdOrExoticNumbersAsUnreadable(String balance) {
		BalanceSnapshot snapshot = map("""
				{"balance":{"points":[{"orderId":"o","balance":%s,"amount":%s}], "total":%s}}
				""".formatted(balance, balance, balance));

		assertThat(snapshot.grants().get(0).remaining()).isNull();
		assertThat(snapshot.grants().get(0).total()).isNull();
		assertThat(snapshot.grants().get(0).status()).isEqualTo(GrantStatus.UNKNOWN);
		assertThat(snapshot.details()).doesNotContainKey("reportedTotal");
	}

	@Test
	void keepsReportedZeroTotalAndEmptyPointsAsAnAnswer() {
		BalanceSnapshot snapshot = map("""
				{"balance":{"points":[], "tickets":[], "total":0}}
				""");

		assertThat(snapshot.grants()).isEmpty();
		assertThat(snapshot.details()).containsEntry("reportedTotal", BigDecimal.ZERO).containsEntry("tickets", 0);
	}

	@ParameterizedTest
	@ValueSource(strings = { "{}", "{\"balance\":null}", "{\"balance\":\"56000\"}", "{\"balance\":{}}",
			"{\"balance\":{\"total\":56000}}", "{\"balance\":{\"points\":{}}}", "{\"balance\":{\"points\":[1]}}",
			"[]", "null", "\"text\"" })
	void reportsMissingOrUnreadableBalanceAsBadResponseNotZero(String body) {
		assertThatExceptionOfType(UpstreamException.class).isThrownBy(() -> map(body)).satisfies((ex) -> {
			assertThat(ex.code()).isEqualTo(ErrorCode.BAD_RESPONSE);
			assertThat(ex.getMessage()).isEqualTo("useapi.net returned no balance for this account");
			assertThat(ex.upstreamStatus()).isEqualTo(200);
		});
	}

	private BalanceSnapshot map(String json) {
		JsonNode node = JsonMapper.builder()
			.enable(tools.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
			.build()
			.readTree(json);
		return this.mapper.map(node, 200);
	}

}
