# Credentials: the loopback token endpoint / metadata server (Python), and
# the real curl transport against it (tests/auth/curl_token_flows_main.cc).
add_test(NAME python_auth_server
         COMMAND ${DEBIAN_PYTHON} -W error::ResourceWarning -m unittest discover -s ${CMAKE_CURRENT_SOURCE_DIR}/auth_server)
set_tests_properties(python_auth_server PROPERTIES TIMEOUT 60)

add_executable(auth_curl_token_flows auth/curl_token_flows_main.cc)
target_link_libraries(auth_curl_token_flows PRIVATE nc2zarr_core GTest::gtest GTest::gtest_main)
target_include_directories(auth_curl_token_flows PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_compile_definitions(auth_curl_token_flows PRIVATE
  NC2ZARR_PYTHON="${DEBIAN_PYTHON}"
  NC2ZARR_AUTH_SERVER="${CMAKE_CURRENT_SOURCE_DIR}/auth_server/auth_server.py")
add_test(NAME auth_curl_token_flows COMMAND auth_curl_token_flows)
set_tests_properties(auth_curl_token_flows PROPERTIES TIMEOUT 60)
