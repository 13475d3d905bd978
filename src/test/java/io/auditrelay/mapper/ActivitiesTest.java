package io.auditrelay.mapper;

import io.auditrelay.event.Activity;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ActivitiesTest {

    @ParameterizedTest
    @CsvSource({
        "CREATE_CLUSTER, CREATE",
        "Kafka.Widget.Create, CREATE",
        "widget.Deleted, DELETE",
        "METRICS_EXPORT_DELETED, DELETE",
        "SET_CLUSTER_LABELS, UPDATE",
        "userLoggedIn, OTHER",
        "user.Login, LOGIN",
        "SIGNOUT, LOGOUT",
        "ADD_ROLE_TO_USER, GRANT",
        "REMOVE_ROLE_FROM_USER, REVOKE",
        "REMOVE_USER, DELETE",
        "ENABLE_CMEK, ENABLE",
        "connector.Paused, DISABLE",
        "GET_LOG_EXPORT, READ",
        "something_else, OTHER",
        "'', OTHER"
    })
    void classifiesByWords(String action, Activity expected) {
        assertThat(Activities.fromTokens(action)).isEqualTo(expected);
    }

    @org.junit.jupiter.api.Test
    void tableWinsOverWords() {
        assertThat(Activities.lookup(Map.of("topic.Emptied", Activity.DELETE), "topic.Emptied")).isEqualTo(Activity.DELETE);
        assertThat(Activities.lookup(Map.of(), "topic.Created")).isEqualTo(Activity.CREATE);
        assertThat(Activities.lookup(Map.of(), null)).isEqualTo(Activity.OTHER);
    }

    @org.junit.jupiter.api.Test
    void splitsCamelCaseAndSeparators() {
        assertThat(Activities.words("application.access-request.Approved"))
                .containsExactly("APPLICATION", "ACCESS", "REQUEST", "APPROVED");
        assertThat(Activities.words("topic.ProducedRecord")).containsExactly("TOPIC", "PRODUCED", "RECORD");
    }
}
