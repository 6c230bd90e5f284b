package dev.klingbalances.web;

import org.junit.jupiter.api.Test;
import org.springdoc.core.configuration.SpringDocConfiguration;
import org.springdoc.core.properties.SpringDocConfigProperties;

import org.springframework.beans.factory.support.BeanDefinitionBuilder;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.beans.factory.support.RootBeanDefinition;

import static org.assertj.core.api.Assertions.assertThat;

class OpenApiLazyInitializationTest {

	@Test
	void springdocAndTheDocumentsOwnBeansWaitForTheFirstRequestOthersDoNot() {
		DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
		beans.registerBeanDefinition("springDocConfiguration", new RootBeanDefinition(SpringDocConfiguration.class));
		beans.registerBeanDefinition("springdocProperties", new RootBeanDefinition(SpringDocConfigProperties.class));
		beans.registerBeanDefinition("openApiResource", BeanDefinitionBuilder.genericBeanDefinition()
			.setFactoryMethodOnBean("openApiResource", "springDocConfiguration")
			.getBeanDefinition());
		beans.registerBeanDefinition("openApiConfiguration", new RootBeanDefinition(OpenApiConfiguration.class));
		beans.registerBeanDefinition("balancesOpenApi", BeanDefinitionBuilder.genericBeanDefinition()
			.setFactoryMethodOnBean("balancesOpenApi", "openApiConfiguration")
			.getBeanDefinition());
		beans.registerBeanDefinition("requestIdFilter", new RootBeanDefinition(RequestIdFilter.class));
		beans.registerBeanDefinition("problemRenderer", BeanDefinitionBuilder.genericBeanDefinition()
			.setFactoryMethodOnBean("problemRenderer", "webConfiguration")
			.getBeanDefinition());

		new OpenApiLazyInitialization().postProcessBeanFactory(beans);

		for (String lazy : new String[] { "springDocConfiguration", "springdocProperties", "openApiResource",
				"openApiConfiguration", "balancesOpenApi" }) {
			assertThat(beans.getBeanDefinition(lazy).isLazyInit()).as(lazy).isTrue();
		}
		assertThat(beans.getBeanDefinition("requestIdFilter").isLazyInit()).isFalse();
		assertThat(beans.getBeanDefinition("problemRenderer").isLazyInit()).isFalse();
	}

}
