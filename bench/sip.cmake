# SIP message kernels: parse + serialize of an INVITE with SDP and of its 200 OK.
add_executable(sip_bench ${CMAKE_CURRENT_LIST_DIR}/sip_bench.cpp)
target_link_libraries(sip_bench PRIVATE sb_sip benchmark::benchmark_main)
set_target_properties(sip_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
