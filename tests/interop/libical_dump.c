/* Parse each .ics file named on the command line with libical (Evolution's parser) and print,
 * as JSON, the events it sees: {file: [{uid, summary, start, end, all_day, alarms}]}.
 * Times are converted to UTC by libical, from the VTIMEZONEs in the file. */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>

static void json_string(const char *text) {
    putchar('"');
    for (const unsigned char *c = (const unsigned char *)(text ? text : ""); *c; c++) {
        if (*c == '"' || *c == '\\') {
            printf("\\%c", *c);
        } else if (*c < 0x20) {
            printf("\\u%04x", *c);
        } else {
            putchar(*c);
        }
    }
    putchar('"');
}

static void json_time(struct icaltimetype t) {
    char text[32];
    if (t.is_date) {
        snprintf(text, sizeof text, "%04d-%02d-%02d", t.year, t.month, t.day);
    } else {
        struct icaltimetype utc = icaltime_convert_to_zone(t, icaltimezone_get_utc_timezone());
        snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02dZ", utc.year, utc.month,
                 utc.day, utc.hour, utc.minute, utc.second);
    }
    json_string(text);
}

static char *slurp(const char *path) {
    FILE *file = fopen(path, "rb");
    if (!file) {
        perror(path);
        exit(2);
    }
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    rewind(file);
    char *text = malloc((size_t)size + 1);
    if (fread(text, 1, (size_t)size, file) != (size_t)size) {
        perror(path);
        exit(2);
    }
    text[size] = '\0';
    fclose(file);
    return text;
}

int main(int argc, char **argv) {
    putchar('{');
    for (int i = 1; i < argc; i++) {
        char *text = slurp(argv[i]);
        icalcomponent *root = icalparser_parse_string(text);
        if (!root || icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT) {
            fprintf(stderr, "%s: libical did not find a VCALENDAR\n", argv[i]);
            return 1;
        }
        if (i > 1) putchar(',');
        json_string(argv[i]);
        printf(":[");
        int first = 1;
        for (icalcomponent *event = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT);
             event; event = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT)) {
            if (!first) putchar(',');
            first = 0;
            struct icaltimetype start = icalcomponent_get_dtstart(event);
            printf("{\"uid\":");
            json_string(icalcomponent_get_uid(event));
            printf(",\"summary\":");
            json_string(icalcomponent_get_summary(event));
            printf(",\"start\":");
            json_time(start);
            printf(",\"end\":");
            json_time(icalcomponent_get_dtend(event));
            printf(",\"all_day\":%s,\"alarms\":[", start.is_date ? "true" : "false");
            int first_alarm = 1;
            for (icalcomponent *alarm = icalcomponent_get_first_component(event, ICAL_VALARM_COMPONENT);
                 alarm; alarm = icalcomponent_get_next_component(event, ICAL_VALARM_COMPONENT)) {
                icalproperty *trigger = icalcomponent_get_first_property(alarm, ICAL_TRIGGER_PROPERTY);
                if (!trigger) continue;
                if (!first_alarm) putchar(',');
                first_alarm = 0;
                printf("%d", icaldurationtype_as_int(icalproperty_get_trigger(trigger).duration));
            }
            printf("]}");
        }
        putchar(']');
        icalcomponent_free(root);
        free(text);
    }
    puts("}");
    return 0;
}
