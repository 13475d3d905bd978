///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS org.apache.camel:camel-bom:4.17.0@pom
//DEPS org.apache.camel:camel-jbang-core

// The Camel CLI (`camel`), pinned to the Camel version of this project; the same entry point as
// `jbang app install camel@apache/camel`, resolved from Maven Central only.
import org.apache.camel.dsl.jbang.core.commands.CamelJBangMain;

class CamelJBang {
    public static void main(String... args) {
        CamelJBangMain.run(args);
    }
}
