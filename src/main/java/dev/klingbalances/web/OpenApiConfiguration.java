package dev.klingbalances.web;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;

import org.springframework.boot.info.BuildProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI document's front matter; operations and schemas describe themselves. */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

	@Bean
	OpenAPI balancesOpenApi(ObjectProvider<BuildProperties> build) {
		BuildProperties properties = build.getIfAvailable();
		return new OpenAPI().info(new Info().title("kling-balances")
			.version((properties != null) ? properties.getVersion() : "dev")
			.description("""
					How much Kling AI capacity is left, across every Kling API account (resource packs, \
					`units`) and every Kling web account driven through useapi.net (`credits`), in one call. \
					Figures are cached; each account states when it was fetched and whether it is stale. \
					Errors are RFC 9457 problem+json with a stable `code`."""));
	}

}
