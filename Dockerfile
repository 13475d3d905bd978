# Build the jar first: mvn -B -q package -DskipTests
FROM eclipse-temurin:17-jre
WORKDIR /app
COPY target/audit-relay.jar /app/audit-relay.jar
# Overrides of the packaged application.properties are read from /app/config/application.properties.
VOLUME /data
EXPOSE 9876
# an OutOfMemoryError ends the process (a supervisor restarts it) instead of leaving a live, stuck JVM
ENTRYPOINT ["java", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/audit-relay.jar"]
