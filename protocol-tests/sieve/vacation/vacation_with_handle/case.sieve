require "vacation";
vacation :days 3 :subject "Away" :handle "h1" "Gone fishing";
