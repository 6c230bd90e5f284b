package dev.klingbalances.provider.kling;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.Grant;
import dev.klingbalances.model.GrantStatus;
import dev.klingbalances.provider.BalanceSnapshot;
import dev.klingbalances.provider.UpstreamException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static dev.klingbalances.provider.kling.KlingStubs.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class KlingCostsMapperTest {

	private static final Instant WINDOW_START = Instant.parse("2025-01-25T00:00:00Z");

	@Test
	void mapsEveryPackFieldToAGrant() {
		BalanceSnapshot snapshot = read(200, ok("""
				[{"resource_pack_name": "Video Generation - 10,000 entries",
				  "resource_pack_id": "509f3fd3d4ab4a3f9eec5db27aa44f27",
				  "resource_pack_type": "decreasing_total",
				  "total_quantity": 200.0, "remaining_quantity": 118.15,
				  "purchase_time": 1726124664368, "effective_time": 1726124664368,
				  "invalid_time": 1727366400000, "status": "online"}]"""));

		assertThat(snapshot.grants()).singleElement().satisfies((grant) -> {
			assertThat(grant.id()).isEqualTo("509f3fd3d4ab4a3f9eec5db27aa44f27");
			assertThat(grant.name()).isEqualTo("Video Generation - 10,000 entries");
			assertThat(grant.type()).isEqualTo("decreasing_total");
			assertThat(grant.status()).isEqualTo(GrantStatus.ACTIVE);
			assertThat(grant.rawStatus()).isEqualTo("online");
			assertThat(grant.total()).isEqualTo(new BigDecimal("200.0"));
			assertThat(grant.remaining()).isEqualTo(new BigDecimal("118.15"));
			assertThat(grant.startsAt()).isEqualTo(Instant.ofEpochMilli(1726124664368L));
			assertThat(grant.expiresAt()).isEqualTo(Instant.ofEpochMilli(1727366400000L));
		});
		assertThat(snapshot.details()).containsEntry("purchasedSince", WINDOW_START)
			.containsEntry("lastPurchaseAt", Instant.ofEpochMilli(1726124664368L))
			.containsEntry("requestId", "req-1");
	}

	@ParameterizedTest
	@CsvSource({ "online, ACTIVE", "toBeOnline, PENDING", "expired, EXPIRED", "runOut, EXHAUSTED",
			"suspended, UNKNOWN", "ONLINE, UNKNOWN" })
	void mapsPackStatusesAndKeepsTheRawValue(String raw, GrantStatus expected) {
		Grant grant = onlyGrant("{\"status\": \"" + raw + "\", \"remaining_quantity\": 1}");

		assertThat(grant.status()).isEqualTo(expected);
		assertThat(grant.rawStatus()).isEqualTo(raw);
	}

	@Test
	void aPackWithoutStatusIsUnknown() {
		Grant grant = onlyGrant("{\"resource_pack_id\": \"p\"}");

		assertThat(grant.status()).isEqualTo(GrantStatus.UNKNOWN);
		assertThat(grant.rawStatus()).isNull();
	}

	@Test
	void missingOrNullFieldsStayNullAndNeverBecomeZero() {
		Grant grant = onlyGrant("{\"status\": \"online\", \"total_quantity\": null}");

		assertThat(grant.total()).isNull();
		assertThat(grant.remaining()).isNull();
		assertThat(grant.id()).isNull();
		assertThat(grant.startsAt()).isNull();
		assertThat(grant.expiresAt()).isNull();
	}

	@Test
	void quantitiesKeepTheirExactDecimalValue() {
		Grant grant = onlyGrant("""
				{"total_quantity": 10000.000000000000001, "remaining_quantity": "0.1"}""");

		assertThat(grant.total()).isEqualTo(new BigDecimal("10000.000000000000001"));
		assertThat(grant.remaining()).isEqualTo(new BigDecimal("0.1"));
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "true", "\"lots\"", "{\"value\": 1}", "[1]", "\"\"" })
	void aQuantityOfTheWrongTypeFailsTheAnswerInsteadOfGuessing(String value) {
		UpstreamException failure = readFailure(200, ok("[{\"status\": \"online\", \"remaining_quantity\": " + value + "}]"));

		assertThat(failure.code()).isEqualTo(ErrorCode.BAD_RESPONSE);
		assertThat(failure.getMessage()).contains("remaining_quantity");
	}

	@Test
	void descriptiveFieldsOfTheWrongTypeBecomeNull() {
		Grant grant = onlyGrant("""
				{"resource_pack_id": 42, "resource_pack_name": {"en": "x"}, "resource_pack_type": ["a"],
				 "status": {"s": "online"}, "effective_time": "soon", "invalid_time": true,
				 "total_quantity": 5}""");

		assertThat(grant.id()).isEqualTo("42");
		assertThat(grant.name()).isNull();
		assertThat(grant.type()).isNull();
		assertThat(grant.status()).isEqualTo(GrantStatus.UNKNOWN);
		assertThat(grant.startsAt()).isNull();
		assertThat(grant.expiresAt()).isNull();
		assertThat(grant.total()).isEqualTo(new BigDecimal("5"));
	}

	@Test
	void timesGivenAsDigitStringsAreRead() {
		Grant grant = onlyGrant("{\"effective_time\": \"1726124664368\"}");

		assertThat(grant.startsAt()).isEqualTo(Instant.ofEpochMilli(1726124664368L));
	}

	@Test
	void anAbsentPackListIsAnEmptyAccount() {
		BalanceSnapshot snapshot = read(200, "{\"code\": 0, \"data\": {\"code\": 0, \"msg\": \"ok\"}}");

		assertThat(snapshot.grants()).isEmpty();
		assertThat(snapshot.details()).containsEntry("purchasedSince", WINDOW_START)
			.doesNotContainKey("lastPurchaseAt");
	}

	@Test
	void aNullPackListIsAnEmptyAccount() {
		assertThat(read(200, ok("null")).grants()).isEmpty();
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
			// envelope without a readable code
			"{\"message\": \"ok\"}", "{\"code\": \"0\", \"data\": {}}", "{\"code\": 0.5, \"data\": {}}",
			"[]", "\"text\"", "<html><body>Bad gateway</body></html>", "{\"code\": 0, \"data\": ",
			// code 0 but no usable data
			"{\"code\": 0}", "{\"code\": 0, \"data\": []}", "{\"code\": 0, \"data\": {\"code\": \"x\"}}",
			"{\"code\": 0, \"data\": {\"resource_pack_subscribe_infos\": {}}}",
			"{\"code\": 0, \"data\": {\"resource_pack_subscribe_infos\": [1]}}",
			// an unknown non-zero code on a 2xx
			"{\"code\": 9999}", "{\"code\": 0, \"data\": {\"code\": 4242}}" })
	void unreadableSuccessfulAnswersAreBadResponses(String body) {
		UpstreamException failure = readFailure(200, body);

		assertThat(failure.code()).isEqualTo(ErrorCode.BAD_RESPONSE);
		assertThat(failure.upstreamStatus()).isEqualTo(200);
		assertThat(failure.retryable()).isFalse();
	}

	@Test
	void anEmptySuccessfulAnswerIsUnavailableAndRetryable() {
		UpstreamException failure = readFailure(200, "");

		assertThat(failure.code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
		assertThat(failure.retryable()).isTrue();
	}

	@ParameterizedTest
	@CsvSource({ "1000, AUTHENTICATION_FAILED", "1001, AUTHENTICATION_FAILED", "1002, AUTHENTICATION_FAILED",
			"1003, AUTHENTICATION_FAILED", "1004, AUTHENTICATION_FAILED", "1100, ACCOUNT_SUSPENDED",
			"1101, ACCOUNT_IN_ARREARS", "1102, PACKS_DEPLETED", "1103, PERMISSION_DENIED", "1200, REQUEST_REJECTED",
			"1201, REQUEST_REJECTED", "1202, REQUEST_REJECTED", "1203, REQUEST_REJECTED", "1300, REQUEST_REJECTED", "1301, REQUEST_REJECTED", "1302, THROTTLED",
			"1303, THROTTLED", "1304, IP_NOT_ALLOWED", "5000, UPSTREAM_UNAVAILABLE", "5001, UPSTREAM_UNAVAILABLE",
			"5002, UPSTREAM_TIMEOUT" })
	void classifiesServiceCodesWhetherOuterOrInner(int code, ErrorCode expected) {
		UpstreamException outer = readFailure(200, "{\"code\": " + code + ", \"message\": \"upstream says SECRET\"}");
		UpstreamException inner = readFailure(200,
				"{\"code\": 0, \"data\": {\"code\": " + code + ", \"msg\": \"upstream says SECRET\"}}");

		assertThat(outer.code()).isEqualTo(expected);
		assertThat(inner.code()).isEqualTo(expected);
		assertThat(outer.getMessage()).contains(String.valueOf(code)).doesNotContain("upstream says");
		assertThat(inner.getMessage()).doesNotContain("upstream says");
	}

	@Test
	void theServiceCodeWinsOverTheHttpStatus() {
		assertThat(readFailure(429, "{\"code\": 1101}").code()).isEqualTo(ErrorCode.ACCOUNT_IN_ARREARS);
		assertThat(readFailure(429, "{\"code\": 1102}").code()).isEqualTo(ErrorCode.PACKS_DEPLETED);
		assertThat(readFailure(429, "{\"code\": 1302}").code()).isEqualTo(ErrorCode.THROTTLED);
		assertThat(readFailure(401, "{\"code\": 1100}").code()).isEqualTo(ErrorCode.ACCOUNT_SUSPENDED);
	}

	@ParameterizedTest
	@CsvSource({ "1300, 200", "1300, 400", "1300, 403", "1300, 429", "1300, 500", "1301, 200", "1301, 400",
			"1301, 403", "1301, 429", "1301, 500" })
	void policyRefusalsAreRejectedRequestsWhateverTheHttpStatus(int code, int status) {
		assertThat(readFailure(status, "{\"code\": " + code + ", \"message\": \"policy\"}").code())
			.isEqualTo(ErrorCode.REQUEST_REJECTED);
		assertThat(readFailure(status, "{\"code\": 0, \"data\": {\"code\": " + code + "}}").code())
			.as("inner code").isEqualTo(ErrorCode.REQUEST_REJECTED);
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "401 | | AUTHENTICATION_FAILED", "429 | | THROTTLED",
			"429 | {\"code\": 1399} | THROTTLED", "403 | <html>Forbidden</html> | REQUEST_REJECTED",
			"404 | | REQUEST_REJECTED", "500 | {\"code\": 9999} | UPSTREAM_UNAVAILABLE",
			"502 | <html>Bad gateway</html> | UPSTREAM_UNAVAILABLE", "503 | | UPSTREAM_UNAVAILABLE",
			"504 | | UPSTREAM_TIMEOUT", "302 | | BAD_RESPONSE", "500 | {\"code\": 0} | UPSTREAM_UNAVAILABLE" })
	void withoutAKnownServiceCodeTheHttpStatusDecides(int status, String body, ErrorCode expected) {
		UpstreamException failure = readFailure(status, (body != null) ? body : "");

		assertThat(failure.code()).isEqualTo(expected);
		assertThat(failure.upstreamStatus()).isEqualTo(status);
		assertThat(failure.getMessage()).contains("HTTP " + status).doesNotContain("html");
	}

	@Test
	void keepsRetryAfterOnTheFailure() {
		UpstreamException failure = KlingCostsMapperTest.readFailure(429, "{\"code\": 1303}", Duration.ofSeconds(7));

		assertThat(failure.retryAfter()).isEqualTo(Duration.ofSeconds(7));
	}

	private static final KlingProducts PRODUCTS = new KlingProducts(List.of());

	private static Grant onlyGrant(String pack) {
		BalanceSnapshot snapshot = read(200, ok("[" + pack + "]"));
		assertThat(snapshot.grants()).hasSize(1);
		return snapshot.grants().get(0);
	}

	private static BalanceSnapshot read(int status, String body) {
		return KlingCostsMapper.read(status, null, body.getBytes(StandardCharsets.UTF_8), WINDOW_START,
				PRODUCTS);
	}

	private static UpstreamException readFailure(int status, String body) {
		return readFailure(status, body, null);
	}

	private static UpstreamException readFailure(int status, String body, Duration retryAfter) {
		return assertThatExceptionOfType(UpstreamException.class)
			.isThrownBy(() -> KlingCostsMapper.read(status, retryAfter, body.getBytes(StandardCharsets.UTF_8),
					WINDOW_START, PRODUCTS))
			.actual();
	}

}
