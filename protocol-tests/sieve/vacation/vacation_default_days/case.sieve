require "vacation";
vacation :handle "h2" :from "bob@example.net" "Back Monday";
