package dev.klingbalances.web;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;

/**
 * Springdoc's beans and the OpenAPI document's own ({@link OpenApiConfiguration}) are made when
 * first asked for, by the first {@code /v3/api-docs} or Swagger UI request, instead of at
 * start-up: most clients never ask, and they were about a tenth of the start-up's CPU
 * (docs/performance.md). Only the bean definitions' lazy flag changes; which beans exist, and
 * the document, stay the same. Beans that others need at start-up (Swagger UI's resource
 * configuration, Spring MVC's handler mappings) are still made then.
 */
class OpenApiLazyInitialization implements BeanFactoryPostProcessor {

	private static final String OWN_CONFIGURATION = OpenApiConfiguration.class.getName();

	@Override
	public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
		for (String name : beanFactory.getBeanDefinitionNames()) {
			BeanDefinition definition = beanFactory.getBeanDefinition(name);
			if (definition.getRole() == BeanDefinition.ROLE_APPLICATION && isOpenApi(origin(beanFactory, definition))) {
				definition.setLazyInit(true);
			}
		}
	}

	/** The class that declares the bean: its own class, or the configuration of its factory method. */
	private static @Nullable String origin(ConfigurableListableBeanFactory beanFactory, BeanDefinition definition) {
		String factoryBean = definition.getFactoryBeanName();
		if (factoryBean != null && beanFactory.containsBeanDefinition(factoryBean)) {
			return beanFactory.getBeanDefinition(factoryBean).getBeanClassName();
		}
		return definition.getBeanClassName();
	}

	private static boolean isOpenApi(@Nullable String className) {
		return className != null && (className.startsWith("org.springdoc.") || className.equals(OWN_CONFIGURATION));
	}

}
