package dev.klingbalances.web;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The records the API answers with: the return types of the controllers' handler methods, the
 * schemas their {@code @ApiResponse}s name (a handler that serves prepared bytes documents its
 * record there), and every record reachable from them through record components, collections,
 * maps and arrays.
 * Found by reflection, so a record or a component added later is covered without a list to
 * keep up to date.
 */
final class ResponseRecords {

	private ResponseRecords() {
	}

	/** The records the application's {@code @RestController}s answer with, directly or nested. */
	static Set<Class<? extends Record>> of(ListableBeanFactory beans) {
		Set<Class<? extends Record>> records = new LinkedHashSet<>();
		for (String name : beans.getBeanNamesForAnnotation(RestController.class)) {
			Class<?> type = beans.getType(name);
			if (type == null) {
				continue;
			}
			for (Method method : ClassUtils.getUserClass(type).getDeclaredMethods()) {
				if (AnnotatedElementUtils.hasAnnotation(method, RequestMapping.class)) {
					collect(method.getGenericReturnType(), records);
					documentedSchemas(method).forEach((schema) -> collect(schema, records));
				}
			}
		}
		return records;
	}

	/** The classes the handler's {@code @ApiResponse} contents name as their schema. */
	static Set<Class<?>> documentedSchemas(Method method) {
		Set<Class<?>> schemas = new LinkedHashSet<>();
		for (ApiResponse response : AnnotatedElementUtils.findMergedRepeatableAnnotations(method, ApiResponse.class)) {
			for (Content content : response.content()) {
				if (content.schema().implementation() != Void.class) {
					schemas.add(content.schema().implementation());
				}
			}
		}
		return schemas;
	}

	/** The name springdoc gives the record's schema: {@code @Schema(name)}, else the simple name. */
	static String schemaName(Class<?> record) {
		io.swagger.v3.oas.annotations.media.Schema schema = record
			.getAnnotation(io.swagger.v3.oas.annotations.media.Schema.class);
		return (schema != null && StringUtils.hasText(schema.name())) ? schema.name() : record.getSimpleName();
	}

	/** Whether the component may be {@code null} on the wire: it is annotated {@code @Nullable}. */
	static boolean isNullable(RecordComponent component) {
		return component.getAnnotatedType().isAnnotationPresent(Nullable.class)
				|| component.isAnnotationPresent(Nullable.class);
	}

	@SuppressWarnings("unchecked")
	private static void collect(@Nullable Type type, Set<Class<? extends Record>> records) {
		if (type instanceof Class<?> recordType && recordType.isRecord()) {
			if (records.add((Class<? extends Record>) recordType)) {
				Arrays.stream(recordType.getRecordComponents()).forEach((component) -> collect(component.getGenericType(), records));
			}
		}
		else if (type instanceof Class<?> array && array.isArray()) {
			collect(array.getComponentType(), records);
		}
		else if (type instanceof ParameterizedType parameterized) {
			Arrays.stream(parameterized.getActualTypeArguments()).forEach((argument) -> collect(argument, records));
		}
		else if (type instanceof GenericArrayType array) {
			collect(array.getGenericComponentType(), records);
		}
		else if (type instanceof WildcardType wildcard) {
			Arrays.stream(wildcard.getUpperBounds()).forEach((bound) -> collect(bound, records));
		}
	}

}
