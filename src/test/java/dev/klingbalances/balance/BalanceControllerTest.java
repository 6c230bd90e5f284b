package dev.klingbalances.balance;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.klingbalances.forecast.AccountHistory;
import dev.klingbalances.model.AccountBalance;
import dev.klingbalances.model.AccountError;
import dev.klingbalances.model.BalancesResponse;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.Forecast;
import dev.klingbalances.model.Grant;
import dev.klingbalances.model.GrantStatus;
import dev.klingbalances.model.ProductBalance;
import dev.klingbalances.model.ProviderTotal;
import dev.klingbalances.provider.AccountListUnavailableException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyCollection;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.then;
import static org.mockito.Mockito.never;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/** The HTTP contract of /balances; security is covered by its own tests. */
@WebMvcTest(BalanceController.class)
@AutoConfigureMockMvc(addFilters = false)
@Import(BalanceControllerTest.FixedClock.class)
class BalanceControllerTest {

	private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

	@Autowired
	private MockMvc mvc;

	@MockitoBean
	private BalanceService service;

	@BeforeEach
	void providers() {
		given(this.service.providerNames()).willReturn(List.of("kling", "useapi"));
	}

	private static AccountBalance account(Instant fetchedAt) {
		Grant grant = new Grant("509f", "Video Generation - 10,000 entries", "video", "decreasing_total", GrantStatus.ACTIVE,
				"online", new BigDecimal("200.0"), new BigDecimal("118.0"), Instant.parse("2026-01-01T00:00:00Z"),
				Instant.parse("2027-01-01T00:00:00Z"));
		return new AccountBalance("kling", "team-a", "units", new BigDecimal("118.0"), new BigDecimal("200.0"),
				List.of(new ProductBalance("video", new BigDecimal("118.0"), new BigDecimal("200.0"), Forecast.NONE, List.of())),
				List.of(grant), Map.of(), fetchedAt, fetchedAt.plus(Duration.ofMinutes(15)), false,
				Duration.ofHours(12), null, null, List.of(), Forecast.NONE);
	}

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** What the service serves: the answer as a view that is never out of date in these tests. */
	private static BalanceView view(BalancesResponse response) {
		return new BalanceView(response, 0, Instant.MAX, Instant.MAX, Map.of(), JSON);
	}

	private static BalancesResponse response(Instant fetchedAt) {
		return new BalancesResponse(NOW, true, List.of(account(fetchedAt)),
				List.of(new ProviderTotal("kling", "video", "units", new BigDecimal("118.0"), new BigDecimal("200.0"), 1, true,
						false, Forecast.NONE)),
				List.of());
	}

	@Test
	void balancesAnswerInTheDocumentedShape() throws Exception {
		given(this.service.balances(Set.of(), null, false, AccountScope.ALL)).willReturn(view(response(NOW.minusSeconds(118))));
		this.mvc.perform(get("/balances"))
			.andExpect(status().isOk())
			.andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
			.andExpect(jsonPath("$.generatedAt").value("2026-11-21T12:00:00Z"))
			.andExpect(jsonPath("$.complete").value(true))
			.andExpect(jsonPath("$.accounts[0].provider").value("kling"))
			.andExpect(jsonPath("$.accounts[0].unit").value("units"))
			.andExpect(jsonPath("$.accounts[0].remaining").value(118.0))
			.andExpect(jsonPath("$.accounts[0].grants[0].status").value("ACTIVE"))
			.andExpect(jsonPath("$.accounts[0].grants[0].expiresAt").value("2027-01-01T00:00:00Z"))
			.andExpect(jsonPath("$.accounts[0].fetchedAt").value("2026-11-21T11:58:02Z"))
			.andExpect(jsonPath("$.accounts[0].dataDelay").value("PT12H"))
			.andExpect(jsonPath("$.accounts[0].stale").value(false))
			.andExpect(jsonPath("$.accounts[0].error").isEmpty())
			.andExpect(jsonPath("$.totals[0].remaining").value(118.0))
			.andExpect(header().string("Cache-Control", "max-age=782, private"));
	}

	@Test
	void providerFilterIsPassedOn() throws Exception {
		given(this.service.balances(Set.of("useapi"), null, true, AccountScope.ALL)).willReturn(view(new BalancesResponse(NOW, true, List.of(), List.of(), List.of())));
		this.mvc.perform(get("/balances").param("provider", "useapi").param("refresh", "true"))
			.andExpect(status().isOk());
		then(this.service).should().balances(Set.of("useapi"), null, true, AccountScope.ALL);
	}

	@Test
	void productFilterIsPassedOn() throws Exception {
		given(this.service.productNames()).willReturn(List.of("credits", "image", "other", "video"));
		given(this.service.balances(Set.of(), "image", false, AccountScope.ALL))
			.willReturn(view(new BalancesResponse(NOW, true, List.of(), List.of(), List.of())));
		this.mvc.perform(get("/balances").param("product", "image")).andExpect(status().isOk());
		then(this.service).should().balances(Set.of(), "image", false, AccountScope.ALL);
	}

	@Test
	void unknownProductParameterIsABadRequestProblemListingTheValidOnes() throws Exception {
		given(this.service.productNames()).willReturn(List.of("credits", "image", "other", "video"));
		this.mvc.perform(get("/balances").param("product", "audio"))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.code").value("INVALID_PARAMETER"))
			.andExpect(jsonPath("$.parameter").value("product"))
			.andExpect(jsonPath("$.detail").value("Parameter 'product' must be one of [credits, image, other, video]."));
		then(this.service).should(never()).balances(anyCollection(), any(), anyBoolean(), any());
	}

	@Test
	void unknownProviderParameterIsABadRequestProblem() throws Exception {
		this.mvc.perform(get("/balances").param("provider", "openai"))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.code").value("INVALID_PARAMETER"))
			.andExpect(jsonPath("$.type").value("urn:kling-balances:problem:invalid-parameter"))
			.andExpect(jsonPath("$.parameter").value("provider"))
			.andExpect(jsonPath("$.status").value(400));
		then(this.service).should(never()).balances(anyCollection(), any(), anyBoolean(), any());
	}

	@Test
	void nonBooleanRefreshIsABadRequestProblem() throws Exception {
		this.mvc.perform(get("/balances").param("refresh", "maybe"))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.code").value("INVALID_PARAMETER"))
			.andExpect(jsonPath("$.detail").value("Parameter 'refresh' must be true or false."));
	}

	@Test
	void unknownAccountIsANotFoundProblem() throws Exception {
		given(this.service.balance("kling", "nobody", false, AccountScope.ALL))
			.willThrow(new UnknownResourceException("Provider 'kling' has no account with that name."));
		this.mvc.perform(get("/balances/kling/nobody"))
			.andExpect(status().isNotFound())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.code").value("NOT_FOUND"));
	}

	@Test
	void unknownPathIsANotFoundProblem() throws Exception {
		this.mvc.perform(get("/balances/kling/team-a/extra"))
			.andExpect(status().isNotFound())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.code").value("NOT_FOUND"));
	}

	@Test
	void unavailableAccountListIsAServiceUnavailableProblemWithRetryAfter() throws Exception {
		given(this.service.balance("useapi", "a@example.com", false, AccountScope.ALL)).willThrow(new AccountListUnavailableException(
				"useapi", new AccountError(ErrorCode.UPSTREAM_UNAVAILABLE, "useapi.net answered 503.", 503, NOW)));
		this.mvc.perform(get("/balances/useapi/a@example.com"))
			.andExpect(status().isServiceUnavailable())
			.andExpect(header().string("Retry-After", "30"))
			.andExpect(jsonPath("$.code").value("ACCOUNT_LIST_UNAVAILABLE"))
			.andExpect(jsonPath("$.upstreamError").value("UPSTREAM_UNAVAILABLE"));
	}

	@Test
	void unexpectedFailureIsAnInternalProblemWithoutDetails() throws Exception {
		given(this.service.balances(Set.of(), null, false, AccountScope.ALL)).willThrow(new IllegalStateException("internal secret detail"));
		MvcResult result = this.mvc.perform(get("/balances"))
			.andExpect(status().isInternalServerError())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.code").value("INTERNAL_ERROR"))
			.andReturn();
		assertThat(result.getResponse().getContentAsString()).doesNotContain("internal secret detail")
			.doesNotContain("IllegalStateException");
	}

	@Test
	void unparsableUrlInTheRequestIsABadRequestNotAServerError() throws Exception {
		// Found by the fuzz: Spring's CORS check parses the Origin header as a URI and throws
		// InvalidUrlException on a broken escape; that is the client's input, not our failure.
		given(this.service.balances(Set.of(), null, false, AccountScope.ALL))
			.willThrow(new org.springframework.web.util.InvalidUrlException("Bad path"));
		this.mvc.perform(get("/balances"))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.code").value("INVALID_PARAMETER"));
	}

	@Test
	void sameContentAnswersNotModifiedToItsEtag() throws Exception {
		given(this.service.balances(Set.of(), null, false, AccountScope.ALL)).willReturn(view(response(NOW.minusSeconds(118))));
		String etag = this.mvc.perform(get("/balances"))
			.andExpect(status().isOk())
			.andReturn()
			.getResponse()
			.getHeader("ETag");
		assertThat(etag).isNotBlank();
		this.mvc.perform(get("/balances").header("If-None-Match", etag))
			.andExpect(status().isNotModified())
			.andExpect(content().string(""));
	}

	@Test
	void changedContentGetsANewEtag() throws Exception {
		given(this.service.balances(Set.of(), null, false, AccountScope.ALL)).willReturn(view(response(NOW.minusSeconds(118))));
		String first = this.mvc.perform(get("/balances")).andReturn().getResponse().getHeader("ETag");
		given(this.service.balances(Set.of(), null, false, AccountScope.ALL)).willReturn(view(response(NOW.minusSeconds(10))));
		this.mvc.perform(get("/balances").header("If-None-Match", first)).andExpect(status().isOk());
	}

	@Test
	void staleFiguresAreNotCacheableByClients() throws Exception {
		AccountBalance stale = new AccountBalance("kling", "team-a", "units", new BigDecimal("118.0"),
				new BigDecimal("200.0"), List.of(), List.of(), Map.of(), NOW.minusSeconds(3600), NOW.minusSeconds(2700), true,
				null, null, new AccountError(ErrorCode.UPSTREAM_UNAVAILABLE, "Kling answered 503.", 503, NOW), List.of(),
				Forecast.NONE);
		given(this.service.balance("kling", "team-a", false, AccountScope.ALL)).willReturn(BalanceView.prepare(stale, JSON));
		this.mvc.perform(get("/balances/kling/team-a"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.stale").value(true))
			.andExpect(jsonPath("$.error.code").value("UPSTREAM_UNAVAILABLE"))
			.andExpect(jsonPath("$.error.upstreamStatus").value(503))
			.andExpect(header().string("Cache-Control", "max-age=0, private"));
	}

	@Test
	void historyAnswersTheRecordedPointsWithAnEtag() throws Exception {
		List<AccountHistory.Point> points = List.of(
				new AccountHistory.Point(NOW.minusSeconds(600), new BigDecimal("118"), new BigDecimal("200"), List.of(), false, null),
				new AccountHistory.Point(NOW, new BigDecimal("118"), new BigDecimal("200"), List.of(), true,
						ErrorCode.UPSTREAM_UNAVAILABLE));
		given(this.service.history("kling", "team-a", Instant.parse("2026-11-20T00:00:00Z"), AccountScope.ALL))
			.willReturn(new AccountHistory("kling", "team-a", "units", Instant.parse("2026-11-20T00:00:00Z"), points));
		String etag = this.mvc.perform(get("/balances/kling/team-a/history").param("since", "2026-11-20T00:00:00Z"))
			.andExpect(status().isOk())
			.andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
			.andExpect(jsonPath("$.points.length()").value(2))
			.andExpect(jsonPath("$.points[0].remaining").value(118))
			.andExpect(jsonPath("$.points[1].error").value("UPSTREAM_UNAVAILABLE"))
			.andExpect(jsonPath("$.points[0].error").isEmpty())
			.andReturn()
			.getResponse()
			.getHeader("ETag");
		this.mvc.perform(get("/balances/kling/team-a/history").param("since", "2026-11-20T00:00:00Z")
			.header("If-None-Match", etag)).andExpect(status().isNotModified());
		// The window's start moves with the clock; the same points are still the same content.
		given(this.service.history("kling", "team-a", null, AccountScope.ALL))
			.willReturn(new AccountHistory("kling", "team-a", "units", Instant.parse("2026-11-20T00:05:00Z"), points));
		this.mvc.perform(get("/balances/kling/team-a/history").header("If-None-Match", etag))
			.andExpect(status().isNotModified());
	}

	@Test
	void historySinceThatIsNotAnInstantIsABadRequestProblem() throws Exception {
		this.mvc.perform(get("/balances/kling/team-a/history").param("since", "yesterday"))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.code").value("INVALID_PARAMETER"))
			.andExpect(jsonPath("$.parameter").value("since"));
		then(this.service).should(never()).history(org.mockito.ArgumentMatchers.anyString(),
				org.mockito.ArgumentMatchers.anyString(), org.mockito.ArgumentMatchers.any(), any());
	}

	@Test
	void historyOfAnUnknownAccountIsANotFoundProblem() throws Exception {
		given(this.service.history("kling", "nobody", null, AccountScope.ALL))
			.willThrow(new UnknownResourceException("Provider 'kling' has no account with that name."));
		this.mvc.perform(get("/balances/kling/nobody/history"))
			.andExpect(status().isNotFound())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON));
	}

	@Test
	void nextAnswersThePickWithAnEntityTag() throws Exception {
		given(this.service.productNames()).willReturn(List.of("credits", "image", "other", "video"));
		AccountPicker.Pick pick = AccountPicker.pick(response(NOW.minusSeconds(118)), "video", new BigDecimal("20"), NOW,
				NOW.plusSeconds(60), JSON);
		given(this.service.next(Set.of("kling"), "video", new BigDecimal("20"), AccountScope.ALL)).willReturn(pick);

		MvcResult result = this.mvc.perform(get("/balances/next").param("product", "video").param("need", "20")
				.param("provider", "kling"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.provider").value("kling"))
			.andExpect(jsonPath("$.account").value("team-a"))
			.andExpect(jsonPath("$.product").value("video"))
			.andExpect(jsonPath("$.need").value(20))
			.andExpect(jsonPath("$.remaining").value(118.0))
			.andExpect(jsonPath("$.drawsFrom.grant").value("509f"))
			.andExpect(jsonPath("$.drawsFrom.expiresAt").value("2027-01-01T00:00:00Z"))
			.andExpect(jsonPath("$.candidates[0].rank").value(1))
			.andExpect(header().string("Cache-Control", "max-age=60, private"))
			.andReturn();
		String etag = result.getResponse().getHeader("ETag");
		assertThat(etag).isEqualTo(pick.answer().etag());

		this.mvc.perform(get("/balances/next").param("product", "video").param("need", "20").param("provider", "kling")
				.header("If-None-Match", etag))
			.andExpect(status().isNotModified());
	}

	@Test
	void nextWithoutCapacityIsANoCapacityProblemWithTheCandidates() throws Exception {
		given(this.service.productNames()).willReturn(List.of("credits", "image", "other", "video"));
		AccountPicker.Pick none = AccountPicker.pick(response(NOW.minusSeconds(118)), "video", new BigDecimal("500"), NOW,
				null, JSON);
		given(this.service.next(Set.of(), "video", new BigDecimal("500"), AccountScope.ALL)).willReturn(none);

		this.mvc.perform(get("/balances/next").param("product", "video").param("need", "500"))
			.andExpect(status().isNotFound())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.code").value("NO_CAPACITY"))
			.andExpect(jsonPath("$.type").value("urn:kling-balances:problem:no-capacity"))
			.andExpect(jsonPath("$.candidates[0].account").value("team-a"))
			.andExpect(jsonPath("$.candidates[0].excluded").value("BELOW_NEED"))
			.andExpect(jsonPath("$.candidates[0].reason").value("Only 118.0 video left, less than the 500 needed."));
	}

	@Test
	void nextNeedsOneDefault() throws Exception {
		given(this.service.productNames()).willReturn(List.of("credits", "image", "other", "video"));
		given(this.service.next(Set.of(), "image", BigDecimal.ONE, AccountScope.ALL)).willReturn(AccountPicker.pick(
				new BalancesResponse(NOW, true, List.of(), List.of(), List.of()), "image", BigDecimal.ONE, NOW, null, JSON));

		this.mvc.perform(get("/balances/next").param("product", "image")).andExpect(status().isNotFound());
		then(this.service).should().next(Set.of(), "image", BigDecimal.ONE, AccountScope.ALL);
	}

	@org.junit.jupiter.params.ParameterizedTest(name = "{0}={1}")
	@org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = { "need|0", "need|-5", "need|0.0", "need|abc",
			"need|1e3", "need|NaN", "need|Infinity", "need|1000000001", "need|99999999999999999999", "need|2.1234567",
			"need|' 20'", "need|''", "product|audio", "product|''", "provider|openai" })
	void nextRefusesBadInputNamingTheParameterWithoutAskingTheService(String parameter, String value) throws Exception {
		given(this.service.productNames()).willReturn(List.of("credits", "image", "other", "video"));
		var request = get("/balances/next");
		if (!parameter.equals("product")) {
			request = request.param("product", "video");
		}
		this.mvc.perform(request.param(parameter, value))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.code").value("INVALID_PARAMETER"))
			.andExpect(jsonPath("$.parameter").value(parameter));
		then(this.service).should(never()).next(anyCollection(), any(), any(), any());
	}

	@Test
	void nextWithoutProductIsABadRequestListingTheProducts() throws Exception {
		given(this.service.productNames()).willReturn(List.of("credits", "image", "other", "video"));
		this.mvc.perform(get("/balances/next").param("need", "20"))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.parameter").value("product"))
			.andExpect(jsonPath("$.detail").value("Parameter 'product' is required: one of [credits, image, other, video]."));
		then(this.service).should(never()).next(anyCollection(), any(), any(), any());
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class FixedClock {

		@Bean
		Clock clock() {
			return Clock.fixed(NOW, ZoneOffset.UTC);
		}

	}

}
