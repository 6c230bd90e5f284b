package dev.klingbalances;

import java.time.Duration;
import java.util.List;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import org.springframework.test.context.DynamicPropertyRegistry;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * WireMock stand-ins for both upstreams on 127.0.0.1, in their real formats, for whole-app
 * tests. Kling accounts are told apart by their API key; useapi.net accounts by their path.
 */
public final class UpstreamStubs {

	public static final String KLING_KEY_A = "kling-api-key-aaaaaaaaaaaaaaaaaaaa";

	public static final String KLING_KEY_B = "kling-api-key-bbbbbbbbbbbbbbbbbbbb";

	public static final String KLING_ACCESS_KEY_C = "kling-access-key-cccccccccccc";

	public static final String KLING_SECRET_KEY_C = "kling-secret-key-cccccccccccccccccccccccccccc";

	public static final String USEAPI_TOKEN = "user:1234-useapi-token-dddddddddddddddd";

	public static final String EMAIL_1 = "first@example.com";

	public static final String EMAIL_2 = "second+video@example.com";

	private final WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());

	public UpstreamStubs start() {
		this.server.start();
		return this;
	}

	public void stop() {
		this.server.stop();
	}

	public WireMockServer server() {
		return this.server;
	}

	public String klingBaseUrl() {
		return "http://127.0.0.1:" + this.server.port() + "/kling";
	}

	public String useapiBaseUrl() {
		return "http://127.0.0.1:" + this.server.port() + "/useapi";
	}

	/** The properties that point the app at these stubs, as {@code key=value} pairs. */
	public String[] properties() {
		return new String[] { "balances.kling.base-url=" + klingBaseUrl(),
				"balances.kling.accounts[0].id=team-a", "balances.kling.accounts[0].api-key=" + KLING_KEY_A,
				"balances.kling.accounts[1].id=team-b", "balances.kling.accounts[1].api-key=" + KLING_KEY_B,
				"balances.kling.accounts[2].id=team-c", "balances.kling.accounts[2].access-key=" + KLING_ACCESS_KEY_C,
				"balances.kling.accounts[2].secret-key=" + KLING_SECRET_KEY_C,
				"balances.useapi.base-url=" + useapiBaseUrl(), "balances.useapi.token=" + USEAPI_TOKEN };
	}

	/** Points the app under test at these stubs. */
	public void register(DynamicPropertyRegistry registry) {
		for (String property : properties()) {
			int split = property.indexOf('=');
			registry.add(property.substring(0, split), () -> property.substring(split + 1));
		}
	}

	/** Good answers for every account, with a small delay so concurrent callers overlap. */
	public void healthy(int delayMillis) {
		this.server.resetAll();
		this.server.stubFor(get(urlPathEqualTo("/kling/account/costs"))
			.willReturn(okJson(klingCosts("118.0", "200.0")).withFixedDelay(delayMillis)));
		this.server.stubFor(get(urlPathEqualTo("/kling/account/costs"))
			.withHeader("Authorization", equalTo("Bearer " + KLING_KEY_B))
			.willReturn(okJson(klingCosts("40.0", "100.0")).withFixedDelay(delayMillis)));
		this.server.stubFor(get(urlPathEqualTo("/useapi/v1/kling/accounts"))
			.willReturn(okJson("{\"" + EMAIL_1 + "\":{\"email\":\"" + EMAIL_1 + "\",\"maxJobs\":5,\"password\":\"…secured…\"},\""
					+ EMAIL_2 + "\":{\"email\":\"" + EMAIL_2 + "\",\"maxJobs\":3,\"password\":\"…secured…\"}}")
				.withFixedDelay(delayMillis)));
		this.server.stubFor(get(urlPathEqualTo("/useapi/v1/kling/accounts/first@example.com"))
			.willReturn(okJson(useapiAccount(EMAIL_1, 56000)).withFixedDelay(delayMillis)));
		this.server.stubFor(get(urlPathEqualTo("/useapi/v1/kling/accounts/second%2Bvideo@example.com"))
			.willReturn(okJson(useapiAccount(EMAIL_2, 1200)).withFixedDelay(delayMillis)));
		this.server.stubFor(get(urlPathEqualTo("/useapi/v1/kling/accounts/second+video@example.com"))
			.willReturn(okJson(useapiAccount(EMAIL_2, 1200)).withFixedDelay(delayMillis)));
	}

	/** Requests that reached the Kling stub with this Authorization value. */
	public List<LoggedRequest> klingRequests(String authorization) {
		return this.server.findAll(getRequestedFor(urlPathEqualTo("/kling/account/costs"))
			.withHeader("Authorization", equalTo(authorization)));
	}

	public List<LoggedRequest> klingRequests() {
		return this.server.findAll(getRequestedFor(urlPathEqualTo("/kling/account/costs")));
	}

	public List<LoggedRequest> useapiRequests(String pathSuffix) {
		return this.server.findAll(getRequestedFor(urlPathEqualTo("/useapi/v1/kling/accounts" + pathSuffix)));
	}

	public static String klingCosts(String remaining, String total) {
		return klingCosts(remaining, total, Duration.ofDays(30));
	}

	/** A live pack with these figures that expires this long from now, and an expired one. */
	public static String klingCosts(String remaining, String total, Duration expiresIn) {
		long now = System.currentTimeMillis();
		return """
				{"code":0,"message":"SUCCEED","request_id":"req-1","data":{"code":0,"msg":"ok",
				 "resource_pack_subscribe_infos":[
				  {"resource_pack_name":"Video Generation - 10,000 entries","resource_pack_id":"509f3fd3d4ab4a3f9eec5db27aa44f27",
				   "resource_pack_type":"decreasing_total","total_quantity":%s,"remaining_quantity":%s,
				   "purchase_time":%d,"effective_time":%d,"invalid_time":%d,"status":"online"},
				  {"resource_pack_name":"Old pack","resource_pack_id":"0001","resource_pack_type":"decreasing_total",
				   "total_quantity":500.0,"remaining_quantity":0.0,"purchase_time":%d,"effective_time":%d,"invalid_time":%d,
				   "status":"expired"}]}}"""
			.formatted(total, remaining, now - 86_400_000L, now - 86_400_000L, now + expiresIn.toMillis(),
					now - 400 * 3_600_000L, now - 400 * 3_600_000L, now - 3_600_000L);
	}

	/** Two live packs, one per product: video and image, each with these figures, for 30 days. */
	public static String klingVideoAndImage(String video, String videoTotal, String image, String imageTotal) {
		long now = System.currentTimeMillis();
		return """
				{"code":0,"message":"SUCCEED","request_id":"req-2","data":{"code":0,"msg":"ok",
				 "resource_pack_subscribe_infos":[
				  {"resource_pack_name":"Video Generation - 1,000 entries","resource_pack_id":"v-1",
				   "resource_pack_type":"decreasing_total","total_quantity":%s,"remaining_quantity":%s,
				   "purchase_time":%d,"effective_time":%d,"invalid_time":%d,"status":"online"},
				  {"resource_pack_name":"Image Generation - 500","resource_pack_id":"i-1",
				   "resource_pack_type":"decreasing_total","total_quantity":%s,"remaining_quantity":%s,
				   "purchase_time":%d,"effective_time":%d,"invalid_time":%d,"status":"online"}]}}"""
			.formatted(videoTotal, video, now - 86_400_000L, now - 86_400_000L, now + 30 * 86_400_000L, imageTotal, image,
					now - 86_400_000L, now - 86_400_000L, now + 30 * 86_400_000L);
	}

	public static String useapiAccount(String email, long balance) {
		long nowSeconds = System.currentTimeMillis() / 1000;
		return """
				{"email":"%s","session":{"userId":"user12345","ExpireTime":%d,"ExpireTimeUTC":null},"maxJobs":5,
				 "password":"…secured…","balance":{"points":[{"orderId":"o-1","type":"plan","amount":66000,"balance":%d,
				 "startTime":%d,"endTime":%d}],"tickets":[],"nextApplyTime":%d,"total":%d}}"""
			.formatted(email, nowSeconds + 86_400, balance, nowSeconds - 86_400, nowSeconds + 30 * 86_400,
					nowSeconds + 7 * 86_400, balance);
	}

}
