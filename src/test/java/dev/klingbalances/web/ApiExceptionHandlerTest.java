package dev.klingbalances.web;

import java.time.Duration;
import java.time.Instant;

import dev.klingbalances.model.AccountError;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.provider.AccountListUnavailableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/** The advice's own decisions; the problems of /balances are covered by BalanceControllerTest. */
@WebMvcTest(controllers = ApiExceptionHandlerTest.UnavailableAccountListController.class,
		properties = "balances.cache.error-ttl=90s")
@AutoConfigureMockMvc(addFilters = false)
@Import(ApiExceptionHandlerTest.UnavailableAccountListController.class)
class ApiExceptionHandlerTest {

	@Autowired
	private MockMvc mvc;

	@Test
	void unavailableAccountListSaysToRetryWhenTheFailureIsForgotten() throws Exception {
		// Given a failed account list is remembered for 90 s (balances.cache.error-ttl)
		// When a request needs that list
		// Then the 503 tells the client to come back after exactly that long, not sooner
		this.mvc.perform(get("/unavailable-account-list"))
			.andExpect(status().isServiceUnavailable())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(header().string("Retry-After", "90"))
			.andExpect(jsonPath("$.code").value("ACCOUNT_LIST_UNAVAILABLE"))
			.andExpect(jsonPath("$.upstreamError").value("UPSTREAM_UNAVAILABLE"));
	}

	@ParameterizedTest(name = "{0} -> {1}")
	@CsvSource({ "PT30S, 30", "PT1.5S, 2", "PT0.1S, 1", "PT0S, 1", "PT10M, 600" })
	void retryAfterIsInWholeSecondsRoundedUpAndAtLeastOne(Duration errorTtl, long seconds) {
		assertThat(ApiExceptionHandler.wholeSecondsAtLeastOne(errorTtl)).isEqualTo(seconds);
	}

	@RestController
	static class UnavailableAccountListController {

		@GetMapping("/unavailable-account-list")
		String accounts() {
			throw new AccountListUnavailableException("useapi", new AccountError(ErrorCode.UPSTREAM_UNAVAILABLE,
					"useapi.net answered 503.", 503, Instant.parse("2026-05-04T08:00:00Z")));
		}

	}

}
