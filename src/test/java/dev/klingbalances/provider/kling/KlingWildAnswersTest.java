package dev.klingbalances.provider.kling;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.Grant;
import dev.klingbalances.model.GrantStatus;
import dev.klingbalances.provider.BalanceSnapshot;
import dev.klingbalances.provider.UpstreamException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Answers seen in the wild ({@code src/test/resources/wild/}, copied from
 * {@code shared/upstreams/wild/}) and variants of them.
 */
class KlingWildAnswersTest {

	private static final Instant WINDOW_START = Instant.parse("2025-01-25T00:00:00Z");

	private static final KlingProducts PRODUCTS = new KlingProducts(List.of());

	@Test
	void theOfficialExampleIsAnExpiredVideoPack() {
		Grant grant = onlyGrant(read(200, wild("kling-costs-docs-example-expired.json")));
		assertThat(grant.name()).isEqualTo("Video Generation - 10,000 entries");
		assertThat(grant.product()).isEqualTo(KlingProducts.VIDEO);
		assertThat(grant.status()).isEqualTo(GrantStatus.EXPIRED);
		assertThat(grant.total()).isEqualTo(new BigDecimal("200.0"));
		assertThat(grant.remaining()).isEqualTo(new BigDecimal("118.0"));
		assertThat(grant.expiresAt()).isEqualTo(Instant.ofEpochMilli(1727366400000L));
	}

	@Test
	void theChineseConsolesPackNameIsKeptByteForByteAndIsVideo() {
		String body = wild("kling-costs-docs-example-zh.json");
		Grant grant = onlyGrant(read(200, body));
		assertThat(grant.name()).isEqualTo("视频生成-10000条");
		assertThat(grant.name().getBytes(StandardCharsets.UTF_8))
			.isEqualTo("视频生成-10000条".getBytes(StandardCharsets.UTF_8));
		assertThat(grant.product()).isEqualTo(KlingProducts.VIDEO);
	}

	@Test
	void aLiveAnswerWithoutRequestIdAndAFractionalRemainingIsRead() {
		BalanceSnapshot snapshot = read(200, wild("kling-costs-live-trial-pack.json"));
		Grant grant = onlyGrant(snapshot);
		assertThat(grant.name()).isEqualTo("Trial-Video-100Units-5Con-1Months");
		assertThat(grant.product()).isEqualTo(KlingProducts.VIDEO);
		assertThat(grant.status()).isEqualTo(GrantStatus.ACTIVE);
		assertThat(grant.remaining()).isEqualTo(new BigDecimal("95.2"));
		assertThat(snapshot.details()).doesNotContainKey("requestId");
	}

	@Test
	void anIntegerTotalBesideAFractionalRemainingKeepsBothExactly() {
		String body = wild("kling-costs-live-trial-pack.json").replace("\"total_quantity\": 100.0",
				"\"total_quantity\": 100");
		assertThat(body).contains("\"total_quantity\": 100,");
		Grant grant = onlyGrant(read(200, body));
		assertThat(grant.total()).isEqualTo(new BigDecimal("100"));
		assertThat(grant.remaining()).isEqualTo(new BigDecimal("95.2"));
	}

	@Test
	void succeedWithoutRequestIdAndWithoutInnerMessageIsASuccess() {
		String body = """
				{"code": 0, "message": "SUCCEED", "data": {"code": 0, "resource_pack_subscribe_infos": [
				  {"resource_pack_name": "Image Generation - 500", "resource_pack_id": "i1",
				   "total_quantity": 500, "remaining_quantity": 499.5, "status": "online"}]}}""";
		Grant grant = onlyGrant(read(200, body));
		assertThat(grant.product()).isEqualTo(KlingProducts.IMAGE);
		assertThat(grant.remaining()).isEqualTo(new BigDecimal("499.5"));
	}

	@Test
	void anOuterZeroWithAnInnerErrorIsAnErrorNeverAnEmptyAccount() {
		assertThat(failure(200, wild("kling-costs-sdk-fixture-inner-code-1100.json")).code())
			.isEqualTo(ErrorCode.ACCOUNT_SUSPENDED);
		assertThat(failure(200, "{\"code\": 0, \"data\": {\"code\": 1102, \"resource_pack_subscribe_infos\": []}}")
			.code()).as("an inner error beside an empty list").isEqualTo(ErrorCode.PACKS_DEPLETED);
	}

	@Test
	void dataWithoutThePackListIsAnAccountWithoutPacks() {
		BalanceSnapshot snapshot = read(200, wild("kling-costs-sdk-fixture-no-list.json"));
		assertThat(snapshot.grants()).isEmpty();
	}

	@Test
	void theBalanceNotEnoughErrorWithoutDataIsPacksDepleted() {
		UpstreamException failure = failure(429, wild("kling-error-1102-balance-not-enough.json"));
		assertThat(failure.code()).isEqualTo(ErrorCode.PACKS_DEPLETED);
		assertThat(failure.upstreamStatus()).isEqualTo(429);
	}

	@ParameterizedTest
	@ValueSource(strings = { "{\"code\": 1103, \"message\": \"no permission\", \"data\": null}",
			"{\"code\": 1103, \"message\": \"no permission\"}",
			"{\"code\": 1103, \"message\": \"no permission\", \"request_id\": \"r\", \"data\": null}" })
	void errorEnvelopesWithNullOrNoDataAreClassifiedByTheirCode(String body) {
		assertThat(failure(403, body).code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
	}

	@ParameterizedTest
	@ValueSource(strings = { "{\"code\": 0, \"message\": \"SUCCEED\", \"data\": null}",
			"{\"code\": 0, \"message\": \"SUCCEED\"}" })
	void aSuccessWithoutDataIsABadResponseNeverAnEmptyAccount(String body) {
		assertThat(failure(200, body).code()).isEqualTo(ErrorCode.BAD_RESPONSE);
	}

	private static Grant onlyGrant(BalanceSnapshot snapshot) {
		assertThat(snapshot.grants()).hasSize(1);
		return snapshot.grants().get(0);
	}

	private static BalanceSnapshot read(int status, String body) {
		return KlingCostsMapper.read(status, null, body.getBytes(StandardCharsets.UTF_8), WINDOW_START, PRODUCTS);
	}

	private static UpstreamException failure(int status, String body) {
		return assertThatExceptionOfType(UpstreamException.class)
			.isThrownBy(() -> KlingCostsMapper.read(status, null, body.getBytes(StandardCharsets.UTF_8), WINDOW_START,
					PRODUCTS))
			.actual();
	}

	/** A body copied from shared/upstreams/wild/, as its bytes (UTF-8). */
	static String wild(String name) {
		try (InputStream in = KlingWildAnswersTest.class.getResourceAsStream("/wild/" + name)) {
			assertThat(in).as(name).isNotNull();
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
