package dev.klingbalances.web;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestIdFilterTest {

	private final RequestIdFilter filter = new RequestIdFilter();

	@Test
	void keepsTheCallersRequestIdInTheLogContextAndTheResponse() throws Exception {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/balances");
		request.addHeader("X-Request-Id", "trace-42.a_b:c");
		MockHttpServletResponse response = new MockHttpServletResponse();
		AtomicReference<String> seenInChain = new AtomicReference<>();

		this.filter.doFilter(request, response, new MockFilterChain(new HttpServlet() {
			@Override
			protected void service(HttpServletRequest req, HttpServletResponse res) {
				seenInChain.set(MDC.get("requestId"));
			}
		}));

		assertThat(seenInChain).hasValue("trace-42.a_b:c");
		assertThat(response.getHeader("X-Request-Id")).isEqualTo("trace-42.a_b:c");
		assertThat(MDC.get("requestId")).as("cleared after the request").isNull();
	}

	@Test
	void generatesAnIdWhenTheCallerSentNone() throws Exception {
		MockHttpServletResponse response = new MockHttpServletResponse();

		this.filter.doFilter(new MockHttpServletRequest("GET", "/balances"), response, new MockFilterChain());

		assertThat(response.getHeader("X-Request-Id")).matches("[0-9a-f-]{36}");
	}

	@Test
	void generatesDistinctVersion4Uuids() {
		Set<String> ids = new HashSet<>();
		for (int i = 0; i < 10_000; i++) {
			String id = RequestIdFilter.requestIdFor(null);
			UUID uuid = UUID.fromString(id);
			assertThat(uuid.version()).as(id).isEqualTo(4);
			assertThat(uuid.variant()).as(id).isEqualTo(2);
			assertThat(uuid.toString()).isEqualTo(id);
			ids.add(id);
		}
		assertThat(ids).hasSize(10_000);
	}

	@Test
	void replacesAnIdThatCouldForgeLogLines() {
		assertThat(RequestIdFilter.requestIdFor("abc\n2026-01-01 INFO fake line")).matches("[0-9a-f-]{36}");
		assertThat(RequestIdFilter.requestIdFor("x".repeat(65))).matches("[0-9a-f-]{36}");
		assertThat(RequestIdFilter.requestIdFor("")).matches("[0-9a-f-]{36}");
	}

	@Test
	void clearsTheLogContextWhenTheChainFails() {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/balances");
		request.addHeader("X-Request-Id", "boom-1");

		assertThatThrownBy(() -> this.filter.doFilter(request, new MockHttpServletResponse(),
					(req, res) -> {
						throw new IllegalStateException("handler failed");
					}))
			.isInstanceOf(IllegalStateException.class);

		assertThat(MDC.get("requestId")).isNull();
	}

}
