package dev.klingbalances.bench.bare;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The benchmark's yardstick: Spring Boot webmvc and one controller, nothing more. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class BareApplication {

	public static void main(String[] args) {
		SpringApplication.run(BareApplication.class, args);
	}

}
