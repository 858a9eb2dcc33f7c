require "vacation-seconds";
vacation :seconds 60 :handle "s" :mime text:
Content-Type: text/plain

bye
.
;
