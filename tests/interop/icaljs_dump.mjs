// Parse each .ics file named on the command line with Mozilla's ical.js and print, as JSON,
// the events it sees: {file: [{uid, summary, start, end, all_day, alarms}]}.
// Times are converted to UTC by ical.js itself, from the VTIMEZONEs in the file.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function when(time) {
  if (time.isDate) {
    return time.toString();
  }
  const utc = time.convertToZone(ICAL.Timezone.utcTimezone);
  return utc.toString().replace(/Z?$/, "Z");
}

const out = {};
for (const file of process.argv.slice(2)) {
  const root = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
  // Register the file's own zones so TZID references resolve against them, not a guess.
  for (const zone of root.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(zone);
  }
  out[file] = root.getAllSubcomponents("vevent").map((component) => {
    const event = new ICAL.Event(component);
    return {
      uid: event.uid,
      summary: event.summary,
      start: when(event.startDate),
      end: when(event.endDate),
      all_day: event.startDate.isDate,
      alarms: component.getAllSubcomponents("valarm").map(
        (alarm) => alarm.getFirstPropertyValue("trigger").toSeconds()),
    };
  });
}
process.stdout.write(JSON.stringify(out));
