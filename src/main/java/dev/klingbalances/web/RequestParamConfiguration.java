package dev.klingbalances.web;

import java.lang.reflect.Method;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.web.method.annotation.RequestParamMethodArgumentResolver;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;

/**
 * {@code @RequestParam} names and default values are plain literals in this application, so
 * Spring MVC reads them as such: its own resolver would put every parameter's name (and default
 * value) through placeholder resolution and a SpEL evaluation on every request, whose shared
 * cache request threads queued for under load (docs/performance.md). Everything else about
 * request parameters (conversion, required, defaults, errors) stays Spring's.
 */
@Configuration(proxyBeanMethods = false)
class RequestParamConfiguration {

	/** A simple-typed parameter without annotations: what only the catch-all resolver takes. */
	private static final MethodParameter UNANNOTATED_STRING = unannotatedString();

	@Bean
	static BeanPostProcessor literalRequestParams() {
		return new BeanPostProcessor() {

			@Override
			public Object postProcessAfterInitialization(Object bean, String beanName) {
				if (bean instanceof RequestMappingHandlerAdapter adapter && adapter.getArgumentResolvers() != null) {
					adapter.setArgumentResolvers(
							adapter.getArgumentResolvers().stream().map(RequestParamConfiguration::literal).toList());
				}
				return bean;
			}

		};
	}

	/**
	 * The same resolver without a bean factory, hence without expressions; one that also takes
	 * unannotated simple parameters (Spring's last, catch-all resolver) keeps doing so.
	 */
	static HandlerMethodArgumentResolver literal(HandlerMethodArgumentResolver resolver) {
		if (resolver.getClass() != RequestParamMethodArgumentResolver.class) {
			return resolver;
		}
		return new RequestParamMethodArgumentResolver(resolver.supportsParameter(UNANNOTATED_STRING));
	}

	private static MethodParameter unannotatedString() {
		try {
			Method concat = String.class.getMethod("concat", String.class);
			return new MethodParameter(concat, 0);
		}
		catch (NoSuchMethodException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
