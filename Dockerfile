# Container image for kling-balances, in the layout of Spring Boot's reference docs
# ("Efficient Container Images" / "Class Data Sharing"): the jar that `./mvnw package` built
# is extracted into layers, the layers are copied from the least to the most often changing,
# and a training run writes a CDS archive so that the container starts faster.
#
#   ./mvnw -B package -DskipTests && docker build -t kling-balances .
#
# BASE_IMAGE must be a JRE (17 or newer) with a shell, `sleep` (the chart's preStop hook) and
# `java` on the PATH. The test suite builds with a local Debian-based JRE image, since it
# cannot pull (see docs/deploy.md).
ARG BASE_IMAGE=eclipse-temurin:21-jre

FROM ${BASE_IMAGE} AS builder
WORKDIR /builder
ARG JAR_FILE=target/*.jar
COPY ${JAR_FILE} application.jar
RUN java -Djarmode=tools -jar application.jar extract --layers --destination extracted

FROM ${BASE_IMAGE}
WORKDIR /application
COPY --from=builder /builder/extracted/dependencies/ ./
COPY --from=builder /builder/extracted/spring-boot-loader/ ./
COPY --from=builder /builder/extracted/snapshot-dependencies/ ./
COPY --from=builder /builder/extracted/application/ ./

# Default JVM flags. JAVA_TOOL_OPTIONS is read before the command line, so nothing that a
# deployment may want to change is on the command line: setting JAVA_TOOL_OPTIONS replaces
# these defaults, and JDK_JAVA_OPTIONS (read by the launcher after them) adds to them or
# overrides single flags. Half of the container's memory limit for the heap leaves the other
# half for metaspace, code cache, thread stacks, GC structures and Netty's direct buffers.
# An OutOfMemoryError ends the JVM, so that the orchestrator restarts it instead of leaving a
# broken process running.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError"

# CDS training run: the application context starts and the JVM exits right after refresh,
# before the web server or any scheduler starts. No provider account is configured here, so
# nothing is called; the archive only records the classes that startup loads. The archive
# is only valid for this exact JVM and class path (hence made in the image, from the same
# directory and `-jar application.jar` as the ENTRYPOINT) and for the same compressed oops
# and class pointers setting; those are on for any heap below 32 GB, so the training run
# caps its heap: the build machine may have far more memory than a container ever gets.
RUN java -Xmx1g -XX:ArchiveClassesAtExit=application.jsa -Dspring.context.exit=onRefresh -jar application.jar

# A numeric user, so that Kubernetes can verify runAsNonRoot without a passwd lookup.
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["java", "-XX:SharedArchiveFile=application.jsa", "-jar", "application.jar"]
