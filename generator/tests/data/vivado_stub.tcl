# Plain-Tcl stand-ins for the Vivado commands that a generated <top>_vivado.tcl uses, so that the
# tests can run the script under tclsh (there is no Vivado here) and check what it asks Vivado to
# do. The stand-ins keep a small model of the project and of the IP being packaged, reject what
# Vivado would reject where that is cheap to know (a missing file, a port the top does not have,
# a property of an object that has none), and record everything.
#
#   tclsh vivado_stub.tcl LOG SCRIPT [ARGS...]       ARGS are the script's -tclargs
#
# LOG gets one line per event, fields separated by tabs:
#   call <command> <argument>...     every stubbed command as called
#   add_file <fileset> <path>        each file add_files adds
#   then the final state:
#   busif <name> <abstraction vlnv> <mode> <ports, comma-separated>
#   busparam <interface> <parameter> <value>
#   memmap <name>  /  block <memory map> <name> <range> <width> <usage>  /  slave_ref <busif> <map>
#   ipfile <file group> <name> <type> <used_in>       in file-group order
#   project_file <fileset> <path> <file_type> <used_in>
#   done                             the script ran to its end
# An unknown command (a typo, or a Vivado command without a stand-in here) ends the run with exit
# status 3, as the script would fail in Vivado; an error in the script, with status 1.
#
# With BNNGEN_STUB_AUTO_INFER=1, ipx::package_project infers the interfaces from the port names
# and imports every project file, as Vivado does; without it, it infers nothing and imports only
# the Verilog sources, so that the script has to do the rest itself. Both paths get tested.

if {[llength $argv] < 2} {
    puts stderr "usage: tclsh vivado_stub.tcl LOG SCRIPT \[ARGS...\]"
    exit 2
}
set stub_log_channel [open [lindex $argv 0] w]
set stub_script [lindex $argv 1]
namespace eval ipx {}
set stub_auto [expr {[info exists env(BNNGEN_STUB_AUTO_INFER)] && $env(BNNGEN_STUB_AUTO_INFER) eq "1"}]

proc stub_log {args} {
    set fields {}
    foreach field $args {
        lappend fields [string map [list "\t" {\t} "\n" {\n}] $field]
    }
    puts $::stub_log_channel [join $fields "\t"]
}

proc stub_fail {message} {
    error "vivado stub: $message"
}

# ---- the object model: handles are strings, properties live in ::stub_prop(handle,NAME)
set stub_next 0
proc stub_new {kind args} {
    set handle "$kind#[incr ::stub_next]"
    foreach {name value} $args {
        set ::stub_prop($handle,$name) $value
    }
    lappend ::stub_objects($kind) $handle
    return $handle
}
proc stub_objects {kind} {
    if {[info exists ::stub_objects($kind)]} {
        return $::stub_objects($kind)
    }
    return {}
}
proc stub_get {handle name} {
    set name [string toupper $name]
    if {![info exists ::stub_prop($handle,$name)]} {
        stub_fail "get_property: '$handle' has no property $name"
    }
    return $::stub_prop($handle,$name)
}
# Only properties an object has can be set (a misspelt one is an error in Vivado too); a few
# take only the values Vivado knows.
proc stub_set {handle name value} {
    set name [string toupper $name]
    if {![info exists ::stub_prop($handle,KIND)]} {
        stub_fail "set_property: '$handle' is not an object"
    }
    if {![info exists ::stub_prop($handle,$name)] || $name eq "KIND"} {
        stub_fail "set_property: $::stub_prop($handle,KIND) objects have no property $name"
    }
    set allowed [dict create \
        FILE_TYPE {Verilog XDC Unknown {Memory Initialization Files} {Memory File}} \
        TYPE {verilogSource xdc mem unknown} \
        TARGET_LANGUAGE {Verilog VHDL} \
        POLARITY {ACTIVE_LOW ACTIVE_HIGH}]
    if {[dict exists $allowed $name] && $value ni [dict get $allowed $name]} {
        stub_fail "set_property $name: Vivado knows no value '$value'"
    }
    if {$name eq "USED_IN"} {
        foreach use $value {
            if {$use ni {synthesis implementation simulation out_of_context}} {
                stub_fail "set_property USED_IN: Vivado knows no value '$use'"
            }
        }
    }
    set ::stub_prop($handle,$name) $value
}
proc stub_handles {list kind} {
    foreach handle $list {
        if {![info exists ::stub_prop($handle,KIND)] || $::stub_prop($handle,KIND) ne $kind} {
            stub_fail "expected $kind objects, got '$handle'"
        }
    }
    return $list
}

# Splits `args` into -options (those in `valued` take a value) and the rest.
proc stub_parse {arguments valued flags} {
    set options [dict create]
    set rest {}
    for {set i 0} {$i < [llength $arguments]} {incr i} {
        set a [lindex $arguments $i]
        if {$a in $valued} {
            incr i
            if {$i >= [llength $arguments]} {
                stub_fail "option $a needs a value"
            }
            dict set options $a [lindex $arguments $i]
        } elseif {$a in $flags} {
            dict set options $a 1
        } elseif {[string match -* $a]} {
            stub_fail "unknown option $a"
        } else {
            lappend rest $a
        }
    }
    return [list $options $rest]
}

# ---- project
set stub_project {}
set stub_project_object [stub_new project KIND project NAME {} TARGET_LANGUAGE VHDL IP_REPO_PATHS {}]
foreach fileset {sources_1 constrs_1 sim_1} {
    set stub_fileset($fileset) [stub_new fileset KIND fileset NAME $fileset TOP {}]
}
set stub_run [stub_new run KIND run NAME synth_1 PROGRESS 0% {STEPS.SYNTH_DESIGN.ARGS.MORE OPTIONS} {}]

proc create_project {args} {
    stub_log call create_project {*}$args
    lassign [stub_parse $args {-part} {-force}] options rest
    if {[llength $rest] != 2 || ![dict exists $options -part]} {
        stub_fail "create_project needs NAME DIR -part PART"
    }
    set ::stub_project [dict create name [lindex $rest 0] dir [lindex $rest 1] part [dict get $options -part]]
    stub_set $::stub_project_object NAME [lindex $rest 0]
    return $::stub_project_object
}
proc stub_need_project {} {
    if {$::stub_project eq {}} {
        stub_fail "no project is open"
    }
}
proc current_project {args} {
    stub_log call current_project {*}$args
    stub_need_project
    return $::stub_project_object
}
proc get_filesets {args} {
    stub_log call get_filesets {*}$args
    set found {}
    foreach name $args {
        if {![info exists ::stub_fileset($name)]} {
            stub_fail "get_filesets: no fileset $name"
        }
        lappend found $::stub_fileset($name)
    }
    return $found
}
proc get_runs {args} {
    stub_log call get_runs {*}$args
    if {$args ne {synth_1}} {
        stub_fail "get_runs: only synth_1 exists"
    }
    return $::stub_run
}
proc add_files {args} {
    stub_log call add_files {*}$args
    stub_need_project
    lassign [stub_parse $args {-fileset} {-norecurse}] options rest
    set fileset [expr {[dict exists $options -fileset] ? [dict get $options -fileset] : "sources_1"}]
    if {![info exists ::stub_fileset($fileset)]} {
        stub_fail "add_files: no fileset $fileset"
    }
    set added {}
    foreach list $rest {
        foreach path $list {
            if {![file isfile $path]} {
                stub_fail "add_files: no such file: $path"
            }
            if {[info exists ::stub_project_file($path)]} {
                stub_fail "add_files: $path is already in the project"
            }
            set type [expr {[string match *.v $path] ? "Verilog" : ([string match *.xdc $path] ? "XDC" : "Unknown")}]
            set handle [stub_new project_file KIND project_file NAME $path FILESET $fileset FILE_TYPE $type \
                            USED_IN {synthesis implementation}]
            set ::stub_project_file($path) $handle
            stub_log add_file $fileset $path
            lappend added $handle
        }
    }
    if {$added eq {}} {
        stub_fail "add_files: no files given"
    }
    return $added
}
proc get_files {args} {
    stub_log call get_files {*}$args
    set found {}
    foreach list $args {
        foreach pattern $list {
            set matched 0
            foreach path [lsort [array names ::stub_project_file]] {
                if {[string match $pattern $path]} {
                    lappend found $::stub_project_file($path)
                    set matched 1
                }
            }
            if {!$matched} {
                stub_fail "get_files: nothing matches $pattern"
            }
        }
    }
    return $found
}
proc update_compile_order {args} {
    stub_log call update_compile_order {*}$args
}

proc set_property {args} {
    stub_log call set_property {*}$args
    lassign [stub_parse $args {-name -value -objects} {}] options rest
    if {[dict exists $options -name]} {
        set name [dict get $options -name]
        set value [dict get $options -value]
        set objects [dict get $options -objects]
    } elseif {[llength $rest] == 3} {
        lassign $rest name value objects
    } else {
        stub_fail "set_property: expected NAME VALUE OBJECTS"
    }
    if {$objects eq {}} {
        stub_fail "set_property $name: no objects"
    }
    foreach handle $objects {
        stub_set $handle $name $value
    }
}
proc get_property {args} {
    stub_log call get_property {*}$args
    if {[llength $args] != 2} {
        stub_fail "get_property: expected NAME OBJECT"
    }
    lassign $args name handle
    return [stub_get $handle $name]
}

proc launch_runs {args} {
    stub_log call launch_runs {*}$args
    stub_set $::stub_run PROGRESS 100%
}
proc wait_on_run {args} {
    stub_log call wait_on_run {*}$args
}
proc open_run {args} {
    stub_log call open_run {*}$args
    if {[stub_get $::stub_run PROGRESS] ne "100%"} {
        stub_fail "open_run: synth_1 has not run"
    }
}
proc stub_report {command arguments} {
    stub_log call $command {*}$arguments
    lassign [stub_parse $arguments {-file -hierarchical_depth} {-hierarchical}] options rest
    if {![dict exists $options -file] || $rest ne {}} {
        stub_fail "$command: expected -file PATH"
    }
    if {![file isdirectory [file dirname [dict get $options -file]]]} {
        stub_fail "$command: no folder for [dict get $options -file]"
    }
}
proc report_utilization {args} { stub_report report_utilization $args }
proc report_timing_summary {args} { stub_report report_timing_summary $args }
proc close_design {args} {
    stub_log call close_design {*}$args
}
proc update_ip_catalog {args} {
    stub_log call update_ip_catalog {*}$args
}

# ---- the IP packager
set stub_core {}
set stub_ports {}
proc stub_need_core {core} {
    if {$::stub_core eq {} || $core ne $::stub_core} {
        stub_fail "not the current core: '$core'"
    }
}
# The ports of the top module, read from its Verilog header.
proc stub_top_ports {} {
    set top [stub_get $::stub_fileset(sources_1) TOP]
    foreach handle [stub_objects project_file] {
        if {[file tail [stub_get $handle NAME]] eq "$top.v"} {
            set channel [open [stub_get $handle NAME]]
            set text [read $channel]
            close $channel
            set start [string first "module $top" $text]
            set header [string range $text $start [string first ");" $text $start]]
            set ports {}
            foreach {match port} [regexp -all -inline {(?:input|output)\s+wire\s+(?:\[[^\]]*\]\s*)?(\w+)} $header] {
                lappend ports $port
            }
            return $ports
        }
    }
    stub_fail "ipx::package_project: no source of the top module '$top'"
}
proc stub_group {name} {
    return [stub_new file_group KIND file_group NAME $name FILES {}]
}
proc stub_import {group path type} {
    set name src/[file tail $path]
    file mkdir [file join $::stub_root src]
    file copy -force $path [file join $::stub_root $name]
    set handle [stub_new ip_file KIND ip_file NAME $name TYPE $type USED_IN {} GROUP $group]
    stub_set $group FILES [concat [stub_get $group FILES] [list $handle]]
    return $handle
}
proc stub_mapped_ports {} {
    set mapped {}
    foreach busif [stub_objects bus_interface] {
        lappend mapped {*}[stub_get $busif PORTS]
    }
    return $mapped
}
proc stub_new_busif {name ports abstraction} {
    set mode slave
    if {[string match m_axis* [lindex $ports 0]] || $ports in {irq interrupt}} {
        set mode master
    }
    set bus [string map {_rtl {}} $abstraction]
    return [stub_new bus_interface KIND bus_interface NAME $name PORTS $ports ABSTRACTION_TYPE_VLNV $abstraction \
                BUS_TYPE_VLNV $bus INTERFACE_MODE $mode SLAVE_MEMORY_MAP_REF {}]
}
# What Vivado's packager infers from port names (UG1118): <name>_<signal> groups and the usual
# clock, reset and interrupt names.
proc stub_auto_infer {} {
    set groups {s_axi_ctrl xilinx.com:interface:aximm_rtl:1.0 s_axis xilinx.com:interface:axis_rtl:1.0
                m_axis xilinx.com:interface:axis_rtl:1.0}
    foreach {prefix abstraction} $groups {
        set ports {}
        foreach port $::stub_ports {
            if {[string match ${prefix}_* $port] && !($prefix eq "s_axis" && [string match s_axi_ctrl* $port])} {
                lappend ports $port
            }
        }
        if {$ports ne {}} {
            stub_new_busif $prefix $ports $abstraction
        }
    }
    foreach {port abstraction} {aclk xilinx.com:signal:clock_rtl:1.0 aresetn xilinx.com:signal:reset_rtl:1.0
                                irq xilinx.com:signal:interrupt_rtl:1.0 interrupt xilinx.com:signal:interrupt_rtl:1.0} {
        if {$port in $::stub_ports} {
            stub_new_busif $port [list $port] $abstraction
        }
    }
}
proc ipx::package_project {args} {
    stub_log call ipx::package_project {*}$args
    stub_need_project
    lassign [stub_parse $args {-root_dir -vendor -library -taxonomy} {-import_files -force}] options rest
    foreach option {-root_dir -vendor -library -taxonomy} {
        if {![dict exists $options $option]} {
            stub_fail "ipx::package_project: $option is missing"
        }
    }
    if {$rest ne {}} {
        stub_fail "ipx::package_project: unexpected $rest"
    }
    set ::stub_root [dict get $options -root_dir]
    set ::stub_ports [stub_top_ports]
    set top [stub_get $::stub_fileset(sources_1) TOP]
    set ::stub_core [stub_new core KIND core NAME $top VERSION 1.0 VENDOR [dict get $options -vendor] \
                         LIBRARY [dict get $options -library] DISPLAY_NAME $top DESCRIPTION $top \
                         VENDOR_DISPLAY_NAME {} TAXONOMY [dict get $options -taxonomy]]
    set synthesis [stub_group xilinx_anylanguagesynthesis]
    set simulation [stub_group xilinx_anylanguagebehavioralsimulation]
    stub_group xilinx_xpgui
    foreach handle [stub_objects project_file] {
        set path [stub_get $handle NAME]
        set type [stub_get $handle FILE_TYPE]
        if {$type eq "Verilog"} {
            stub_import $synthesis $path verilogSource
            stub_import $simulation $path verilogSource
        } elseif {$::stub_auto && $type eq "XDC"} {
            stub_set [stub_import $synthesis $path xdc] USED_IN [stub_get $handle USED_IN]
        } elseif {$::stub_auto} {
            stub_import $synthesis $path unknown
            stub_import $simulation $path unknown
        }
    }
    if {$::stub_auto} {
        stub_auto_infer
    }
}
proc ipx::current_core {args} {
    stub_log call ipx::current_core {*}$args
    if {$::stub_core eq {}} {
        stub_fail "ipx::current_core: nothing is being packaged"
    }
    return $::stub_core
}
# The objects of `kind` whose `owner` property is `owner` and whose name matches `pattern`.
proc stub_find {kind owner_property owner pattern} {
    set found {}
    foreach handle [stub_objects $kind] {
        if {($owner_property eq {} || [stub_get $handle $owner_property] eq $owner) &&
            [string match $pattern [stub_get $handle NAME]]} {
            lappend found $handle
        }
    }
    return $found
}
# ipx::get_* NAME -of_objects OWNER, with -quiet: without it, finding nothing is an error here
# (Vivado warns), so that the script has to ask quietly where it expects nothing.
proc stub_get_objects {command arguments kind owner_kind owner_property} {
    stub_log call $command {*}$arguments
    lassign [stub_parse $arguments {-of_objects -filter} {-quiet}] options rest
    if {![dict exists $options -of_objects] || [llength $rest] > 1} {
        stub_fail "$command: expected \[NAME\] -of_objects OBJECT"
    }
    set owner [dict get $options -of_objects]
    stub_handles $owner $owner_kind
    set pattern [expr {$rest eq {} ? "*" : [lindex $rest 0]}]
    set found [stub_find $kind $owner_property $owner $pattern]
    if {[dict exists $options -filter]} {
        if {![regexp {^NAME =~ (\S+)$} [dict get $options -filter] -> glob]} {
            stub_fail "$command: unsupported filter [dict get $options -filter]"
        }
        set kept {}
        foreach handle $found {
            if {[string match $glob [stub_get $handle NAME]]} {
                lappend kept $handle
            }
        }
        set found $kept
    }
    if {$found eq {} && ![dict exists $options -quiet]} {
        stub_fail "$command: nothing matches $pattern"
    }
    return $found
}
proc ipx::get_bus_interfaces {args} {
    stub_need_core $::stub_core
    return [stub_get_objects ipx::get_bus_interfaces $args bus_interface core {}]
}
proc ipx::infer_bus_interface {args} {
    stub_log call ipx::infer_bus_interface {*}$args
    if {[llength $args] != 3} {
        stub_fail "ipx::infer_bus_interface: expected PORTS ABSTRACTION_VLNV CORE"
    }
    lassign $args ports abstraction core
    stub_need_core $core
    set mapped [stub_mapped_ports]
    foreach port $ports {
        if {$port ni $::stub_ports} {
            stub_fail "ipx::infer_bus_interface: the top has no port $port"
        }
        if {$port in $mapped} {
            stub_fail "ipx::infer_bus_interface: $port is already in an interface"
        }
    }
    # Vivado names what it infers itself; the script has to rename multi-port interfaces.
    set name [expr {[llength $ports] == 1 ? [lindex $ports 0] : "inferred_[incr ::stub_next]"}]
    return [stub_new_busif $name $ports $abstraction]
}
proc ipx::get_bus_parameters {args} {
    return [stub_get_objects ipx::get_bus_parameters $args bus_parameter bus_interface BUS_INTERFACE]
}
proc ipx::add_bus_parameter {args} {
    stub_log call ipx::add_bus_parameter {*}$args
    lassign $args name busif
    stub_handles $busif bus_interface
    if {[stub_find bus_parameter BUS_INTERFACE $busif $name] ne {}} {
        stub_fail "ipx::add_bus_parameter: $name exists"
    }
    return [stub_new bus_parameter KIND bus_parameter NAME $name BUS_INTERFACE $busif VALUE {}]
}
proc ipx::get_memory_maps {args} {
    return [stub_get_objects ipx::get_memory_maps $args memory_map core {}]
}
proc ipx::add_memory_map {args} {
    stub_log call ipx::add_memory_map {*}$args
    lassign $args name core
    stub_need_core $core
    return [stub_new memory_map KIND memory_map NAME $name]
}
proc ipx::get_address_blocks {args} {
    return [stub_get_objects ipx::get_address_blocks $args address_block memory_map MEMORY_MAP]
}
proc ipx::add_address_block {args} {
    stub_log call ipx::add_address_block {*}$args
    lassign $args name map
    stub_handles $map memory_map
    return [stub_new address_block KIND address_block NAME $name MEMORY_MAP $map RANGE 4096 WIDTH 32 USAGE memory]
}
proc ipx::get_file_groups {args} {
    return [stub_get_objects ipx::get_file_groups $args file_group core {}]
}
proc ipx::get_files {args} {
    return [stub_get_objects ipx::get_files $args ip_file file_group GROUP]
}
proc ipx::add_file {args} {
    stub_log call ipx::add_file {*}$args
    lassign $args name group
    stub_handles $group file_group
    if {![file isfile [file join $::stub_root $name]]} {
        stub_fail "ipx::add_file: no file $name in $::stub_root"
    }
    if {[stub_find ip_file GROUP $group $name] ne {}} {
        stub_fail "ipx::add_file: $name is already in [stub_get $group NAME]"
    }
    set handle [stub_new ip_file KIND ip_file NAME $name TYPE unknown USED_IN {} GROUP $group]
    stub_set $group FILES [concat [stub_get $group FILES] [list $handle]]
    return $handle
}
proc ipx::reorder_files {args} {
    stub_log call ipx::reorder_files {*}$args
    lassign [stub_parse $args {-front} {}] options rest
    set group [lindex $rest 0]
    set handle [stub_find ip_file GROUP $group [dict get $options -front]]
    if {[llength $handle] != 1} {
        stub_fail "ipx::reorder_files: no file [dict get $options -front]"
    }
    set files [stub_get $group FILES]
    set index [lsearch -exact $files $handle]
    stub_set $group FILES [concat [list $handle] [lreplace $files $index $index]]
}
# What ipx::check_integrity would object to, roughly: clock associations naming no interface, a
# reset without polarity, an AXI slave without its memory map, a group not ending with HDL.
proc ipx::check_integrity {args} {
    stub_log call ipx::check_integrity {*}$args
    stub_need_core [lindex $args 0]
    set names {}
    foreach busif [stub_objects bus_interface] {
        lappend names [stub_get $busif NAME]
    }
    foreach parameter [stub_objects bus_parameter] {
        if {[stub_get $parameter NAME] eq "ASSOCIATED_BUSIF"} {
            foreach name [split [stub_get $parameter VALUE] :] {
                if {$name ni $names} {
                    stub_fail "ipx::check_integrity: ASSOCIATED_BUSIF names no interface $name"
                }
            }
        }
    }
    foreach group [stub_objects file_group] {
        set files [stub_get $group FILES]
        if {$files ne {} && [stub_get [lindex $files end] TYPE] ne "verilogSource"} {
            stub_fail "ipx::check_integrity: [stub_get $group NAME] does not end with an HDL file"
        }
    }
}
foreach stub_command {create_xgui_files update_checksums save_core} {
    proc ipx::$stub_command {args} "stub_log call ipx::$stub_command {*}\$args; stub_need_core \[lindex \$args 0\]"
}

proc unknown {args} {
    stub_log unknown {*}$args
    close $::stub_log_channel
    puts stderr "vivado stub: unknown command: $args"
    exit 3
}

# ---- run the script, then write the state
set argv [lrange $argv 2 end]
set argc [llength $argv]
if {[catch {uplevel #0 [list source $stub_script]} message]} {
    stub_log error $message
    close $stub_log_channel
    puts stderr $::errorInfo
    exit 1
}
foreach busif [stub_objects bus_interface] {
    stub_log busif [stub_get $busif NAME] [stub_get $busif ABSTRACTION_TYPE_VLNV] [stub_get $busif INTERFACE_MODE] \
        [join [stub_get $busif PORTS] ,]
    if {[stub_get $busif SLAVE_MEMORY_MAP_REF] ne {}} {
        stub_log slave_ref [stub_get $busif NAME] [stub_get $busif SLAVE_MEMORY_MAP_REF]
    }
}
foreach parameter [stub_objects bus_parameter] {
    stub_log busparam [stub_get [stub_get $parameter BUS_INTERFACE] NAME] [stub_get $parameter NAME] \
        [stub_get $parameter VALUE]
}
foreach map [stub_objects memory_map] {
    stub_log memmap [stub_get $map NAME]
}
foreach block [stub_objects address_block] {
    stub_log block [stub_get [stub_get $block MEMORY_MAP] NAME] [stub_get $block NAME] [stub_get $block RANGE] \
        [stub_get $block WIDTH] [stub_get $block USAGE]
}
foreach group [stub_objects file_group] {
    foreach file [stub_get $group FILES] {
        stub_log ipfile [stub_get $group NAME] [stub_get $file NAME] [stub_get $file TYPE] [stub_get $file USED_IN]
    }
}
foreach handle [stub_objects project_file] {
    stub_log project_file [stub_get $handle FILESET] [stub_get $handle NAME] [stub_get $handle FILE_TYPE] \
        [stub_get $handle USED_IN]
}
stub_log done
close $stub_log_channel
exit 0
