package dev.klingbalances.balance;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.regex.Pattern;

import dev.klingbalances.forecast.AccountHistory;
import dev.klingbalances.model.AccountBalance;
import dev.klingbalances.model.BalancesResponse;
import dev.klingbalances.model.NextAccount;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.WebRequest;

/** {@code /balances}: the one call this service exists for. */
@RestController
@RequestMapping(path = "/balances", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Balances", description = "Remaining capacity of every account of every provider")
class BalanceController {

	private final BalanceService service;

	private final Clock clock;

	private final JsonMapper jsonMapper;

	private final BalancesProperties properties;

	/** Digits, at most one point, at most 6 decimals: what {@code need} may look like. */
	private static final Pattern NEED = Pattern.compile("[0-9]{1,15}(\\.[0-9]{1,6})?");

	BalanceController(BalanceService service, Clock clock, JsonMapper jsonMapper, BalancesProperties properties) {
		this.service = service;
		this.clock = clock;
		this.jsonMapper = jsonMapper;
		this.properties = properties;
	}

	@GetMapping
	@Operation(operationId = "listBalances", summary = "Balances of every account",
			description = """
					Every account of every provider, with \
					totals per provider and product (video and image capacity are separate pools: no figure \
					adds two products; an account holding several has `remaining: null` and one entry per \
					product in `products`). Answers within the configured deadline whatever the upstreams do: \
					an account that cannot be read is still listed, with `error` set and either its last \
					good figures (`stale: true`) or `remaining: null` - never a made-up zero. `complete` \
					is false when any account or provider has an error. A key scoped to some accounts \
					(balances.security.api-keys[i].accounts) sees only them: accounts, totals and `complete` \
					are over them alone. Supports `If-None-Match`.""")
	@ApiResponse(responseCode = "200", description = "Balances (possibly partial: see `complete`)",
			headers = @Header(name = "Cache-Control", description = "private, with a max-age while every account is fresh", schema = @Schema(type = "string")),
			content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = BalancesResponse.class),
					examples = { @ExampleObject(name = "full", ref = "#/components/examples/balances-full"),
							@ExampleObject(name = "partial", ref = "#/components/examples/balances-partial"),
							@ExampleObject(name = "providerDown", ref = "#/components/examples/balances-provider-down") }))
	ResponseEntity<byte[]> balances(
			@Parameter(description = "Only this provider's accounts (all providers when absent)")
			@RequestParam(required = false) @Nullable String provider,
			@Parameter(description = "Only accounts holding this product (and accounts whose products are not known, since they may), and only this product's totals; every product when absent. "
					+ "An unknown product is a 400 problem listing the valid ones")
			@RequestParam(required = false) @Nullable String product,
			@Parameter(description = "Fetch from the upstreams now instead of serving fresh cached figures "
					+ "(concurrent refreshes share one fetch; rate limits still apply)")
			@RequestParam(defaultValue = "false") boolean refresh,
			WebRequest request) {
		Set<String> providers = (provider != null) ? Set.of(knownProvider(provider)) : Set.of();
		BalanceView view = this.service.balances(providers, (product != null) ? knownProduct(product) : null, refresh,
				scope(request));
		Instant now = this.clock.instant();
		PreparedJson<BalancesResponse> content = view.content();
		if (request.checkNotModified(content.etag())) {
			return notModified(content, now);
		}
		return ok(content, now).body(view.body(now));
	}

	@GetMapping("/next")
	@Operation(operationId = "nextAccount", summary = "The account to spend next for a product",
			description = """
					Which account a job of one product should go to: from the cached figures only (it never \
					calls an upstream, whatever their age), the accounts that can take the job, ranked so that \
					capacity expiring first is used first. Left out, each with its reason in `candidates`: \
					accounts with an error (any code), accounts whose figures are older than the provider's \
					data delay plus one cache TTL, accounts whose provider reports no free job slot, and \
					accounts with less than `need` of the product (`estimatedRemaining` where there is one, \
					else `remaining`). Ranked: the account whose grant with capacity expires first, then \
					the larger estimated remaining, then the name. When none is left: 404 `NO_CAPACITY` \
					with the candidates. Supports `If-None-Match`.""")
	@ApiResponse(responseCode = "200", description = "The account to use, and every candidate with its rank or exclusion",
			headers = @Header(name = "Cache-Control", description = "private, with a max-age while every account considered is fresh", schema = @Schema(type = "string")),
			content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = NextAccount.class),
					examples = @ExampleObject(name = "pick", ref = "#/components/examples/next-account")))
	@ApiResponse(responseCode = "404", ref = "#/components/responses/NoCapacity")
	ResponseEntity<byte[]> next(
			@Parameter(description = "The product the job needs", required = true, example = "video")
			@RequestParam(required = false) @Nullable String product,
			@Parameter(description = "Capacity the job needs, in the product's unit: a number greater than 0 (up to 6 decimals), at most balances.picker.max-need; 1 when absent", example = "20")
			@RequestParam(required = false) @Nullable String need,
			@Parameter(description = "Only this provider's accounts (all providers when absent)")
			@RequestParam(required = false) @Nullable String provider,
			WebRequest request) {
		if (product == null) {
			throw new InvalidParameterException("product",
					"Parameter 'product' is required: one of " + this.service.productNames() + ".");
		}
		String known = knownProduct(product);
		BigDecimal needed = need(need);
		Set<String> providers = (provider != null) ? Set.of(knownProvider(provider)) : Set.of();
		AccountPicker.Pick pick = this.service.next(providers, known, needed, scope(request));
		PreparedJson<NextAccount> content = pick.answer();
		if (content == null) {
			throw new NoCapacityException(pick.detail(), pick.candidates());
		}
		Instant now = this.clock.instant();
		if (request.checkNotModified(content.etag())) {
			return notModified(content, now);
		}
		return ok(content, now).body(content.bytes());
	}

	@GetMapping("/{provider}/{account}")
	@Operation(operationId = "getAccountBalance", summary = "Balance of one account",
			description = """
					One account, as it appears in `GET /balances`, addressed by its name there (e.g. a Kling \
					API account's configured id, a useapi.net account's e-mail; one URL-encoded path segment; \
					`@` may stay as it is). An account that cannot be read is answered 200 with `error` set. An account \
					outside the key's scope is answered 404 exactly like one that does not exist.""")
	@ApiResponse(responseCode = "200", description = "The account (check `error` and `stale`)",
			headers = @Header(name = "Cache-Control", description = "private, with a max-age while the account is fresh", schema = @Schema(type = "string")),
			content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = AccountBalance.class),
					examples = { @ExampleObject(name = "ok", ref = "#/components/examples/account-ok"),
							@ExampleObject(name = "mixed", ref = "#/components/examples/account-mixed"),
							@ExampleObject(name = "error", ref = "#/components/examples/account-error") }))
	@ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
	@ApiResponse(responseCode = "503", ref = "#/components/responses/AccountListUnavailable")
	ResponseEntity<byte[]> balance(
			@Parameter(description = "Provider name", example = "kling") @PathVariable String provider,
			@Parameter(description = "The account's name, as `GET /balances` lists it", example = "team-a") @PathVariable String account,
			@Parameter(description = "Fetch from the upstream now instead of serving fresh cached figures")
			@RequestParam(defaultValue = "false") boolean refresh,
			WebRequest request) {
		PreparedJson<AccountBalance> content = this.service.balance(provider, account, refresh, scope(request));
		Instant now = this.clock.instant();
		if (request.checkNotModified(content.etag())) {
			return notModified(content, now);
		}
		return ok(content, now).body(content.bytes());
	}

	@GetMapping("/{provider}/{account}/history")
	@Operation(operationId = "getAccountHistory", summary = "Recorded figures of one account",
			description = """
					The account's figures as this service recorded them over the forecast window \
					(`balances.forecast.window`, 7 days by default), oldest first: each successful read \
					(unchanged figures at most once per `balances.forecast.resolution`) and each failure, \
					with its error code, each point with every product's figures (`products`; the point's own \
					`remaining` and `total` only when the account held one product). This is the history the \
					forecasts (one per product) rest on; it is kept in memory \
					unless a shared store is configured, so it starts anew when the service restarts. \
					Never calls an upstream. Supports `If-None-Match`.""")
	@ApiResponse(responseCode = "200", description = "The recorded figures",
			content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = AccountHistory.class)))
	@ApiResponse(responseCode = "404", ref = "#/components/responses/NotFound")
	ResponseEntity<byte[]> history(
			@Parameter(description = "Provider name", example = "kling") @PathVariable String provider,
			@Parameter(description = "The account's name, as `GET /balances` lists it", example = "team-a") @PathVariable String account,
			@Parameter(description = "Only figures recorded at or after this instant (ISO-8601, UTC, e.g. 2026-11-20T00:00:00Z); the whole window when absent or earlier",
					schema = @Schema(type = "string", format = "date-time"))
			@RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) @Nullable Instant since,
			WebRequest request) {
		AccountHistory history = this.service.history(provider, account, since, scope(request));
		// The entity tag is over the points only: `from` moves with the clock when no since is
		// given, and unchanged points must still be answered 304.
		PreparedJson<AccountHistory> content = new PreparedJson<>(history, this.jsonMapper.writeValueAsBytes(history),
				PreparedJson.etag(this.jsonMapper.writeValueAsBytes(history.points())), null);
		if (request.checkNotModified(content.etag())) {
			return notModified(content, this.clock.instant());
		}
		return ok(content, this.clock.instant()).body(content.bytes());
	}

	/** The consumer's scope: what its API key may see (every account without a key, in open mode). */
	private static AccountScope scope(WebRequest request) {
		return (request.getUserPrincipal() instanceof AccountScope.Scoped consumer) ? consumer.scope() : AccountScope.ALL;
	}

	private String knownProvider(String provider) {
		if (!this.service.providerNames().contains(provider)) {
			throw new InvalidParameterException("provider",
					"Parameter 'provider' must be one of " + this.service.providerNames() + ".");
		}
		return provider;
	}

	/** A plain decimal above 0 and within the limit; nothing that could cost work to parse. */
	private BigDecimal need(@Nullable String need) {
		if (need == null) {
			return BigDecimal.ONE;
		}
		BigDecimal max = this.properties.picker().maxNeed();
		String rule = "Parameter 'need' must be a number greater than 0 and at most " + max.toPlainString()
				+ ", such as 20 or 2.5.";
		if (!NEED.matcher(need).matches()) {
			throw new InvalidParameterException("need", rule);
		}
		BigDecimal value = new BigDecimal(need);
		if (value.signum() <= 0 || value.compareTo(max) > 0) {
			throw new InvalidParameterException("need", rule);
		}
		return value;
	}

	private String knownProduct(String product) {
		if (!this.service.productNames().contains(product)) {
			throw new InvalidParameterException("product",
					"Parameter 'product' must be one of " + this.service.productNames() + ".");
		}
		return product;
	}

	/**
	 * The ETag is over the content (not the timestamp); the max-age lasts as long as every
	 * account in the answer is fresh, and is 0 when anything is stale or failed.
	 */
	private static ResponseEntity.BodyBuilder ok(PreparedJson<?> content, Instant now) {
		return ResponseEntity.ok().headers(content.cacheHeaders(now)).contentType(MediaType.APPLICATION_JSON);
	}

	private static ResponseEntity<byte[]> notModified(PreparedJson<?> content, Instant now) {
		return ResponseEntity.status(304).headers(content.cacheHeaders(now)).build();
	}

}
