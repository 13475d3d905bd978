# Build the jar first: mvn -B -q package -DskipTests
FROM eclipse-temurin:17-jre
WORKDIR /app
COPY target/audit-relay.jar /app/audit-relay.jar
# Overrides of the packaged application.properties are read from /app/config/application.properties.
VOLUME /data
EXPOSE 9876
ENTRYPOINT ["java", "-jar", "/app/audit-relay.jar"]
