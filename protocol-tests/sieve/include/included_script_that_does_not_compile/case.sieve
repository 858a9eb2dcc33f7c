require "include";
include "broken";
