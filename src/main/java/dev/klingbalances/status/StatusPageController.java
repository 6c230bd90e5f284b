package dev.klingbalances.status;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.klingbalances.balance.BalancesProperties;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.provider.BalanceProvider;
import io.swagger.v3.oas.annotations.Hidden;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ResponseBody;

/**
 * The status page for people, at {@code /} and {@code /status}: one static page whose script
 * (under {@code /status/}, with uPlot from its WebJar) reads {@code /balances} and each account's
 * history with the consumer's key, when one is needed. The page, its assets and its settings are
 * served without a key; the figures never are. Not part of the API, so not in the OpenAPI
 * document.
 */
@Hidden
@Controller
class StatusPageController {

	/**
	 * Scripts, styles, images and requests from this service only: no inline script or style
	 * attribute, no eval, no string written into the DOM as markup, no form sent anywhere (the
	 * key form is handled by the script, so a key never lands in a URL), no framing.
	 */
	static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
			+ "img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; "
			+ "require-trusted-types-for 'script'";

	private static final Resource PAGE = new ClassPathResource("status/index.html");

	private static final MediaType HTML = new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8);

	private final StatusPageProperties properties;

	private final BalancesProperties balances;

	private final boolean keyRequired;

	/** Each registered provider's display name, by name: the page names providers with these. */
	private final Map<String, String> providers = new LinkedHashMap<>();

	StatusPageController(StatusPageProperties properties, BalancesProperties balances,
			ObjectProvider<BalanceProvider> providers, Environment environment) {
		this.properties = properties;
		this.balances = balances;
		this.keyRequired = keyRequired(environment);
		providers.stream()
			.sorted(Comparator.comparing(BalanceProvider::name))
			.forEach((provider) -> this.providers.put(provider.name(), provider.displayName()));
	}

	@GetMapping({ "/", "/status" })
	ResponseEntity<Resource> page() {
		return ResponseEntity.ok()
			.contentType(HTML)
			.cacheControl(CacheControl.noCache())
			.header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
			.header("Referrer-Policy", "no-referrer")
			.body(PAGE);
	}

	@GetMapping(path = "/status/settings", produces = MediaType.APPLICATION_JSON_VALUE)
	@ResponseBody
	StatusPageSettings settings() {
		Map<String, String> errorCodes = new LinkedHashMap<>();
		Arrays.stream(ErrorCode.values()).forEach((code) -> errorCodes.put(code.name(), code.description()));
		BalancesProperties.Alerts alerts = this.balances.alerts();
		return new StatusPageSettings(this.keyRequired, this.properties.refreshInterval().toSeconds(),
				this.balances.forecast().window().toSeconds(), alerts.runsOutWithin().toSeconds(),
				alerts.expiringUnusedWithin().toSeconds(), errorCodes, this.providers);
	}

	/**
	 * Whether {@code /balances} wants a consumer key: unless {@code balances.security.mode} is
	 * {@code none}, as {@code security/SecurityConfiguration} decides. Read from the environment
	 * because the security properties are the security package's own.
	 */
	static boolean keyRequired(Environment environment) {
		return Binder.get(environment)
			.bind("balances.security.mode", String.class)
			.map((mode) -> !mode.replace("-", "").replace("_", "").equalsIgnoreCase("none"))
			.orElse(true);
	}

}
